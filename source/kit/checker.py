"""The student kit's checker: the visible tests, run against the student's own files.

Same tests, same checks, same feedback text as the grader, through the same protocol round trip
(so an unreadable return type or a mutated input is caught exactly as on Gradescope). There is no
sandbox: it is the student's own machine and code. Hidden tests are not part of the kit.
"""
import argparse
import contextlib
import os
import sys

from autograder import failures, student
from autograder.sandbox import protocol, worker
from autograder.sandbox.controller import interpret

MAX_BYTES = 16 << 20


class InProcess:
    """The Sandbox interface (`call`), running student modules in this process."""

    def __init__(self, folder):
        self.folder = os.path.abspath(folder)
        self.modules, self.broken = {}, {}
        self.capture = worker.CappedText()
        sys.path.insert(0, self.folder)

    def call(self, file, function, args, kwargs, timeout=None, visible=True):
        module = self._module(file)
        request = {"function": function, "args": [protocol.encode(a) for a in args],
                   "kwargs": {k: protocol.encode(v) for k, v in kwargs.items()}}
        with contextlib.redirect_stdout(self.capture), contextlib.redirect_stderr(self.capture):
            reply = worker.answer(module, request, self.capture, self.folder, MAX_BYTES)
        return interpret(file, function, protocol.loads(protocol.dumps(reply)[protocol.HEADER.size:]), MAX_BYTES)

    def _module(self, file):
        if file in self.broken:
            raise self.broken[file]
        if file not in self.modules:
            path = os.path.join(self.folder, file)
            if not os.path.exists(path):
                self.broken[file] = failures.FileMissing(file, f"{file} was not found in {self.folder}.")
                raise self.broken[file]
            try:
                with contextlib.redirect_stdout(self.capture):
                    self.modules[file] = worker.import_student_module(file[:-3], path)
            except BaseException as exc:  # noqa: B902 (a student file may raise anything)
                self.broken[file] = failures.ImportFailed(file, worker.describe_error(exc, self.folder))
                raise self.broken[file] from None
        return self.modules[file]


def main(argv=None, checker_dir=None):
    import pytest

    from autograder import cli, plugin as plugin_module, rubric as rubric_module
    checker_dir = checker_dir or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(prog="check.py", description="Run the visible tests on your files, "
                                "with the feedback the autograder gives.")
    p.add_argument("files", nargs="*", metavar="FILE", help="only these files (e.g. batchnorm.py)")
    p.add_argument("--dir", default=os.path.dirname(checker_dir),
                   help="folder with your files (default: %(default)s)")
    args = p.parse_args(argv)
    rubric = rubric_module.load(os.path.join(checker_dir, "rubric.yaml"))
    tests_dir = os.path.join(checker_dir, "tests")
    targets = [os.path.join(tests_dir, f"test_{name.removesuffix('.py')}_examples.py") for name in args.files]
    grading = plugin_module.GradingPlugin(rubric)
    student.bind(InProcess(args.dir))
    code = pytest.main((targets or [tests_dir]) + cli.pytest_args(tests_dir, False)[1:], plugins=[grading])
    if code not in (0, 1, 5):
        print(f"the checker could not run its tests (pytest exit code {int(code)})")
        return 2
    outcomes = sorted(grading.outcomes.values(), key=lambda o: o.order)
    for outcome in outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        print(f"{mark}  {outcome.file}: {(outcome.doc or outcome.id.split('::')[-1])}")
        if not outcome.passed:
            print("      " + outcome.visible_output.replace("\n", "\n      "))
            if outcome.printed.strip():
                print("      Your code printed:\n        " + outcome.printed.strip().replace("\n", "\n        "))
    passed = sum(o.passed for o in outcomes)
    print(f"\n{passed} of {len(outcomes)} visible tests passed. The autograder also runs hidden tests "
          "(random inputs, edge cases) that are shown after the due date.")
    return 0
