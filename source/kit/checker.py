"""The student kit's checker: the visible tests, run against the student's own files.

Same tests, same checks, same feedback text and the same time limits as the autograder. Each
student file runs in a child process of its own (child.py) that uses the engine's worker runtime
and wire protocol, so a hang is stopped after the call or import time limit, a crash or a syntax
error is reported as the grader reports it, and printed output is captured and capped the same
way. It needs only what the kit's README installs (numpy and pytest) and imports nothing
Linux-only, so it runs on Linux, macOS and Windows. Hidden tests are not part of the kit.

Exit status: 0 when every visible test passed, 1 when one failed, 2 when the checker could not run.
"""
import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import types

from autograder import discovery, escaping, failures, results, student
from autograder.cli import points as show_points, pytest_args
from autograder.sandbox import protocol, replies
from autograder.sandbox.limits import Limits
from kit.child import Pipe

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


class KitRubric:
    """The kit's rubric (checker/rubric.json, written by ./grader kit from rubric.yaml): every
    shipped test's settings already resolved, so no YAML or validation library is needed here."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
        self.files, self.tests, self.hidden_points = data["files"], data["tests"], data["hidden_points"]
        self.limits = Limits(**data["limits"])
        # Naming a misconception runs the mistake's code, which is reference code: not in the kit.
        self.feedback = {"misconceptions": False}

    def settings(self, test_id, decorators=None):
        values = {"points": 0.0, "name": None, "timeout": None, "hide_errors": None, **self.tests.get(test_id, {})}
        return types.SimpleNamespace(visibility="visible", tags=[], number=None, name_format=None, **values)


class Child:
    """A child process serving one student file; replies arrive on a queue, so waiting for one has
    a deadline on every platform (select() does not work on Windows pipes)."""

    def __init__(self, file, path, limits, checker_dir):
        settings = {"checker": checker_dir, "module": os.path.splitext(file)[0], "path": os.path.abspath(path),
                    "max_result_bytes": limits.max_result_mb << 20, "output_chars": limits.output_chars,
                    "memory_mb": limits.memory_mb}
        self.scratch = tempfile.mkdtemp(prefix="check-")  # like the grader's: not the student's folder
        self.process = subprocess.Popen(
            [sys.executable, "-B", CHILD, json.dumps(settings)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=self.scratch, env={**os.environ, **{v: "1" for v in THREAD_VARS}})
        self.file, self.max_bytes = file, settings["max_result_bytes"]
        self.replies = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        channel = Pipe(self.process.stdout.fileno(), None)
        try:
            while True:
                self.replies.put(protocol.recv(channel, self.max_bytes))
        except BaseException as exc:  # noqa: B902 (EOF, a malformed frame: handed to the waiting caller)
            self.replies.put(exc)

    def send(self, message):
        try:
            self.process.stdin.write(protocol.dumps(message))
            self.process.stdin.flush()
        except OSError:
            raise EOFError("the child process has ended") from None

    def receive(self, seconds):
        try:
            reply = self.replies.get(timeout=seconds)
        except queue.Empty:
            raise TimeoutError from None
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def stop(self):
        """Kill the process; how it ended, as the fork server reports it ({"exit": n} or {"signal": n})."""
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.scratch, ignore_errors=True)
        return {"signal": -code} if code < 0 else {"exit": code}


class Children:
    """The Sandbox interface (`call`) of the autograder, with a child process per student file and
    the autograder's call and import time limits, but no sandbox user: it is the student's machine.

    As in the autograder, the files are first copied under their expected names, with the helper
    modules beside them, into a folder of their own (so tracebacks show the student's files only).
    """

    def __init__(self, files, limits, notes, checker_dir):
        self.files, self.limits, self.notes, self.checker_dir = files, limits, notes, checker_dir
        self.current, self.broken, self.staged = None, {}, {}

    def __enter__(self):
        self.folder = tempfile.mkdtemp(prefix="check-submission-")
        for name, path in self.files.items():
            self.staged[name] = shutil.copyfile(path, os.path.join(self.folder, name))
        return self

    def __exit__(self, *exc):
        self._retire()
        shutil.rmtree(self.folder, ignore_errors=True)

    def call(self, file, function, args, kwargs, timeout=None, visible=True):
        return replies.first_result(self.calls(file, function, [(args, kwargs)], timeout, visible))

    def calls(self, file, function, arguments, timeout=None, visible=True, past_failures=False):
        """Like the sandbox's: one exchange with the time limit of one call, or one call at a time."""
        return replies.pinned(lambda some: self._exchange_calls(file, function, some, timeout, past_failures),
                              arguments, past_failures)

    def _exchange_calls(self, file, function, arguments, timeout, past_failures):
        child = self._child_for(file)
        limit = timeout or self.limits.call_timeout
        request = protocol.calls_request(function, arguments, past_failures)
        try:
            child.send(request)
            reply = child.receive(limit)
        except TimeoutError:
            self._retire()
            raise failures.CallTimeout(file, function, limit) from None
        except protocol.MessageTooLarge as exc:
            self._retire()
            raise failures.ResultTooLarge(file, function, exc.length, child.max_bytes) from None
        except (EOFError, OSError):
            raise failures.WorkerDied(file, function, self._retire(), self.limits.memory_mb) from None
        except protocol.ProtocolError as exc:
            self._retire()
            raise failures.BadResult(function, f"the worker sent a malformed reply ({exc})") from None
        return replies.interpret_all(file, function, reply, len(arguments), child.max_bytes, self.limits.output_chars,
                                     past_failures)

    def _child_for(self, file):
        if file in self.broken:
            raise self.broken[file]
        if file not in self.staged:
            raise failures.FileMissing(file, self.notes.get(file))
        if self.current is not None and self.current.file == file:
            return self.current
        self._retire()
        self.current = Child(file, self.staged[file], self.limits, self.checker_dir)
        try:
            hello = self.current.receive(self.limits.import_timeout)
        except TimeoutError:
            self._retire()
            self.broken[file] = failures.ImportTimeout(file, self.limits.import_timeout)
        except (EOFError, OSError, protocol.ProtocolError):
            self.broken[file] = failures.WorkerDied(file, f"Importing {file}", self._retire(), self.limits.memory_mb)
        else:
            if hello.get("ok") is True:
                return self.current
            self._retire()
            self.broken[file] = failures.ImportFailed(file, replies.error_report(hello.get("error")))
        raise self.broken[file]

    def _retire(self):
        child, self.current = self.current, None
        return child.stop() if child is not None else None


# ---------------------------------------------------------------- which files

def choose_files(arguments, folder, expected):
    """{expected name: path}, {expected name: note}, {helper name: path} and [problems].

    Without arguments, the files are found in `folder` as the autograder finds them in an upload.
    An argument may be a name (batchnorm.py, batchnorm), a path (hw/batchnorm.py) or a name in
    another case; a file whose name Gradescope would not accept is checked with a warning.
    Helpers are the other .py files beside a chosen file, which it may import, as on Gradescope.
    """
    if not arguments:
        found = discovery.discover(folder, expected)
        return found.found, found.notes, found.helpers, []
    chosen, notes, problems = {}, {}, []
    for argument in arguments:
        name = os.path.basename(argument.rstrip("/\\"))
        name = name if name.lower().endswith(".py") else name + ".py"
        canonical = next((e for e in expected if e.lower() == name.lower()), None)
        if canonical is None:
            problems.append(f"{argument} is not one of the assignment's files ({', '.join(expected)})")
            continue
        path = next((p for p in (argument, argument + ".py", os.path.join(folder, name)) if os.path.isfile(p)), None)
        if path is None:
            found = discovery.discover(folder, [canonical])
            chosen.update(found.found)
            notes.update(found.notes)
            continue
        chosen[canonical] = path
        actual = _name_on_disk(path)
        notes[canonical] = "" if actual == canonical else (
            f"{actual} was checked, but the autograder looks for {canonical}: file names are case-sensitive "
            "on Gradescope, so rename it before you upload.")
    helpers = {name: os.path.join(os.path.dirname(path), name) for path in chosen.values()
               for name in os.listdir(os.path.dirname(os.path.abspath(path)))
               if name.endswith(".py") and name.lower() not in {e.lower() for e in expected}}
    return chosen, notes, helpers, problems


def _name_on_disk(path):
    """The file's name as the folder lists it (on macOS and Windows `open` ignores case)."""
    folder, name = os.path.split(os.path.abspath(path))
    listed = os.listdir(folder)
    return name if name in listed else next((n for n in listed if n.lower() == name.lower()), name)


# ---------------------------------------------------------------- running and reporting

def main(argv=None, checker_dir=None):
    import pytest

    from autograder import plugin as plugin_module
    checker_dir = checker_dir or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(prog="check.py", description="Run the visible tests on your files, with the "
                                "feedback and time limits the autograder gives.")
    p.add_argument("files", nargs="*", metavar="FILE", help="only these files (e.g. batchnorm.py or hw/rnn.py)")
    p.add_argument("--dir", default=os.path.dirname(checker_dir),
                   help="folder with your files, looked through as the autograder looks through an upload "
                        "(default: %(default)s)")
    args = p.parse_args(argv)
    rubric = KitRubric(os.path.join(checker_dir, "rubric.json"))
    staged, notes, helpers, problems = choose_files(args.files, args.dir, rubric.files)
    if problems:
        for problem in problems:
            print(f"check.py: {problem}", file=sys.stderr)
        return 2
    checked = [f for f in rubric.files if f in staged or f in notes]
    tests_dir = os.path.join(checker_dir, "tests")
    targets = [os.path.join(tests_dir, f"test_{f[:-3]}_examples.py") for f in checked]
    targets = [t for t in targets if os.path.exists(t)]
    for file in checked:
        if notes.get(file) and file in staged:
            print(f"note: {escaping.terminal(notes[file])}")
    grading = plugin_module.GradingPlugin(rubric)
    with Children({**helpers, **staged}, rubric.limits, notes, checker_dir) as children:
        student.bind(children)
        try:
            code = pytest.main(targets + pytest_args(tests_dir, False)[1:], plugins=[grading])
        finally:
            student.bind(None)
    if code == pytest.ExitCode.INTERRUPTED and not grading.collection_errors:
        print("check.py: stopped.")
        return 130
    if code not in (0, 1, 5) or grading.collection_errors:
        print(f"check.py could not run its tests (pytest exit code {int(code)}):\n"
              + "\n".join(grading.collection_errors))
        return 2
    outcomes = sorted(grading.outcomes.values(), key=lambda o: (rubric.files.index(o.file), o.order))
    earned = possible = 0.0
    for outcome in outcomes:
        settings = rubric.settings(outcome.id)
        earned += settings.points * outcome.fraction
        possible += settings.points
        print(report(outcome, settings, results.title(outcome)))
    passed = sum(o.passed for o in outcomes)
    hidden = sum(rubric.hidden_points.get(f, 0.0) for f in checked)
    print(f"\n{passed} of {len(outcomes)} visible tests passed ({show_points(earned)} / {show_points(possible)} "
          f"points). The autograder also runs hidden tests (random inputs, edge cases) worth {show_points(hidden)} more "
          "points; their results appear after the due date.")
    return 0 if passed == len(outcomes) else 1


def report(outcome, settings, title):
    """One test as the student reads it: PASS/FAIL, points, name, then its feedback and printed output."""
    mark = "PASS" if outcome.passed else "FAIL"
    points = f"[{show_points(settings.points * outcome.fraction)}/{show_points(settings.points)}]"
    lines = [f"{mark}  {points:<9} {escaping.terminal(settings.name or title)}"]
    text = outcome.visible_output
    if settings.hide_errors and not outcome.passed:
        text = settings.hide_errors
    if text:
        lines.append(_indented(text))
    if outcome.printed.strip() and not settings.hide_errors:
        lines += ["      Your code printed:", _indented(outcome.printed.rstrip("\n"), 8)]
    return "\n".join(lines)


def _indented(text, by=6):
    return "\n".join(" " * by + line for line in escaping.terminal(text).split("\n"))
