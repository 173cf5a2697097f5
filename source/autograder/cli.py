"""`run_autograder`: grade one submission and write results.json.

With no arguments, inside Gradescope's container (this checkout is /autograder/source), it does
exactly Gradescope's job: grade /autograder/submission, write /autograder/results/results.json.
Anywhere else it refuses to run without --submission rather than write into /autograder.
Instructors point it anywhere with --submission and --results and get a summary table in the
terminal. The exit code is 0 whenever grading completed, whatever the score; a results.json is
written in every case, if need be one that says the grader failed or is misconfigured.
"""
import argparse
import dataclasses
import os
import shutil
import sys
import textwrap
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRADED_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graded.ini")
GRADESCOPE = {
    "source": "/autograder/source",
    "submission": "/autograder/submission",
    "results": "/autograder/results/results.json",
    "metadata": "/autograder/submission_metadata.json",
}


def parser():
    p = argparse.ArgumentParser(
        prog="run_autograder",
        description="Grade one submission of the deep-learning numpy assignment and write Gradescope's "
                    "results.json. Without options it does what Gradescope expects.")
    p.add_argument("--submission", metavar="DIR", default=None,
                   help="folder with the student's files, in any nesting (default: /autograder/submission)")
    p.add_argument("--results", metavar="FILE", default=None,
                   help="where to write results.json (default: /autograder/results/results.json, or "
                        "results.json inside a temporary folder when --submission is given)")
    p.add_argument("--metadata", metavar="FILE", default=None,
                   help="Gradescope's submission_metadata.json (default: /autograder/submission_metadata.json "
                        "when present)")
    p.add_argument("--rubric", metavar="FILE", default=os.path.join(REPO, "rubric.yaml"),
                   help="rubric to grade with (default: %(default)s)")
    p.add_argument("--tests", metavar="DIR", default=os.path.join(REPO, "tests"),
                   help="graded tests (default: %(default)s)")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="also store the raw per-test outcomes here (JSON), for rescoring without rerunning")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--show-pytest", action="store_true", help="show pytest's own output while grading")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    local = args.submission is not None
    if not local and REPO != GRADESCOPE["source"]:
        print(f"run_autograder: no --submission given. Without options it does Gradescope's job (grade "
              f"{GRADESCOPE['submission']} into {GRADESCOPE['results']}), which it does only inside Gradescope's "
              f"container, where the autograder lives in {GRADESCOPE['source']}; this one is in {REPO}.\n"
              "To grade a folder here:  ./run_autograder --submission DIR  (see --help)", file=sys.stderr)
        return 2
    results_path = args.results or (_local_results_path() if local else GRADESCOPE["results"])
    metadata = args.metadata or (GRADESCOPE["metadata"] if os.path.exists(GRADESCOPE["metadata"]) else None)
    graded = grade(args.submission or GRADESCOPE["submission"], results_path, rubric_path=args.rubric, tests_dir=args.tests,
                   metadata_path=metadata, record_path=args.record,
                   show_pytest=args.show_pytest or not local)
    if not args.quiet:
        print(summary_table(graded.results))
        print(f"\nresults.json written to {results_path}")
        for line in graded.staff_notes:
            print(line)
    return 0 if graded.written else 1


def _local_results_path():
    import tempfile
    return os.path.join(tempfile.mkdtemp(prefix="grading-"), "results.json")


@dataclasses.dataclass
class Graded:
    results: dict
    staff_notes: list
    written: bool = True  # False: results.json could not be written (a full disk)


def grade(submission, results_path, *, rubric_path, tests_dir, metadata_path=None, record_path=None,
          show_pytest=False, slot=None, collected=None):
    """Grade one submission; always writes results_path; returns what was written.

    `record_path` also stores the raw outcomes (for rescoring); `slot` lends a batch slot's fork
    server and sandbox user instead of starting new ones; `collected` (collected.py) runs tests a
    batch has collected once, with the rubric they were collected with, instead of a pytest run.
    """
    from autograder import discovery, records, results, rubric as rubric_module, submission_limit
    from autograder.sandbox.controller import SandboxMisconfigured
    start = time.monotonic()
    results.write(results.crashed("The grader was stopped before it finished (time or memory limit?)."),
                  results_path)
    staff_notes = []
    try:
        try:
            rubric = collected.grading.rubric if collected else rubric_module.load(rubric_path)
        except (rubric_module.RubricError, OSError) as exc:
            raise Misconfigured(getattr(exc, "problems", None) or [f"{rubric_path}: {exc}"]) from None
        lock_grader_files([REPO, rubric_path, tests_dir, metadata_path,
                           "/autograder" if results_path == GRADESCOPE["results"] else None])
        found = discovery.discover(submission, rubric.files)
        built = submission_limit.refusal(metadata_path, rubric.submission_limit)
        if built is not None:
            record = records.Record(found, [], "", time.monotonic() - start, limited=built)
            staff_notes.append("not graded: over the submission limit")
        else:
            outcomes, isolation, events = run_tests(found, rubric, tests_dir, show_pytest, slot, collected)
            staff_notes += isolation_lines(isolation) + events
            staff_notes += [f"grader error in {o.id}:\n{o.internal}" for o in outcomes if o.internal]
            record = records.Record(found, outcomes, isolation, time.monotonic() - start)
            built = results.build(outcomes, rubric, found, record.seconds, isolation)
        if record_path:
            records.save(record, record_path)
    except SandboxMisconfigured as exc:
        staff_notes.append(f"the autograder is misconfigured, nothing was graded: {exc}")
        built = results.misconfigured(str(exc), time.monotonic() - start)
    except Misconfigured as exc:
        staff_notes.append("the autograder is misconfigured, nothing was graded:\n  - " + "\n  - ".join(exc.problems))
        built = results.misconfigured(f"{os.path.basename(rubric_path)} has {len(exc.problems)} problem(s); "
                                      "the autograder's output (shown to course staff) lists them.",
                                      time.monotonic() - start)
    except Exception:
        detail = traceback.format_exc()
        staff_notes.append(f"the grader failed:\n{detail}")
        built = results.crashed(detail.strip().split("\n")[-1], time.monotonic() - start)
    try:
        results.write(built, results_path)
    except (TypeError, ValueError) as exc:  # not valid JSON: the grader's fault, still a valid file
        staff_notes.append(f"the results could not be written: {exc}")
        built = results.crashed(f"the results could not be written: {exc}", time.monotonic() - start)
        results.write(built, results_path)
    except OSError as exc:  # the disk is full: the placeholder written at the start stands
        staff_notes.append(f"results.json could not be written ({exc}); the placeholder written at the start "
                           "stands, which says the autograder failed")
        return Graded(built, staff_notes, written=False)
    return Graded(built, staff_notes)


class Misconfigured(Exception):
    """The rubric does not fit the tests (or cannot be read): grading would give wrong scores."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class Gate:
    """Runs no test while the rubric does not fit the collected tests (a typo in a test id would
    otherwise make that test worth 0 for every student, in silence) or the sandbox lacks a layer
    the rubric requires. The sandbox is readied here, once the tests are collected, so that its
    fork server starts while pytest collects."""

    def __init__(self, grading, sandbox):
        self.grading, self.sandbox, self.problems, self.misconfigured = grading, sandbox, [], None

    def pytest_collection_finish(self, session):
        from autograder.sandbox.controller import SandboxMisconfigured
        self.problems = self.grading.rubric.problems(self.grading.collected)
        if not self.problems:
            try:
                self.sandbox.ready()
            except SandboxMisconfigured as exc:
                self.misconfigured = exc
        if self.problems or self.misconfigured:
            session.items.clear()


def run_tests(found, rubric, tests_dir, show_pytest, slot=None, collected=None):
    """Run the graded tests against the sandboxed submission; (outcomes, isolation, events).

    Without `collected`, one pytest run collects and runs them; with it (a batch's child), the
    tests it holds run, their rubric already checked against them."""
    import pytest

    from autograder import plugin as plugin_module, student
    from autograder.sandbox.controller import Sandbox

    grading = collected.grading if collected else plugin_module.GradingPlugin(rubric)
    staged = {**found.helpers, **found.found}
    lent = {"server": slot.server, "user": slot.user, "probed": slot.layers} if slot is not None else {}
    gate, code = None, 0
    with Sandbox(staged, rubric.limits, notes=found.notes, **lent) as sandbox:
        student.bind(sandbox)
        try:
            if collected:
                sandbox.ready()
                collected.run()
            else:
                gate = Gate(grading, sandbox)
                code = pytest.main(pytest_args(tests_dir, show_pytest), plugins=[grading, gate])
        finally:
            student.bind(None)
        isolation, events = sandbox.isolation, list(sandbox.events)
    if gate and gate.problems:
        raise Misconfigured(gate.problems)
    if gate and gate.misconfigured:
        raise gate.misconfigured
    if grading.collection_errors or code not in (0, 1):
        raise RuntimeError("the graded tests could not be run (pytest exit code "
                           f"{int(code)}):\n" + "\n".join(grading.collection_errors))
    missing = set(grading.collected) - set(grading.outcomes)
    if missing:
        raise RuntimeError(f"no outcome for {len(missing)} collected test(s), e.g. {sorted(missing)[0]}")
    return list(grading.outcomes.values()), isolation, events


# pytest's own plugins that graded tests do not use (no tmp_path, monkeypatch, logging, doctests,
# XML reports, debugger...); each costs time in every test of every grading.
UNUSED_PLUGINS = ("cacheprovider", "debugging", "doctest", "faulthandler", "junitxml", "legacypath", "logging",
                  "monkeypatch", "pastebin", "recwarn", "setuponly", "setupplan", "subtests", "threadexception",
                  "tmpdir", "unittest", "unraisableexception")


def pytest_args(tests_dir, show_pytest):
    """pytest's command line for the graded tests: our own ini file, no cache, no plugins autoloaded,
    none of pytest's own that graded tests do not need."""
    for variable in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(variable, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    args = [tests_dir, "-c", GRADED_INI, "--rootdir", tests_dir, "--capture=sys"]
    args += [option for plugin in UNUSED_PLUGINS for option in ("-p", f"no:{plugin}")]
    return args + (["-q", "--tb=short"] if show_pytest else ["-p", "no:terminal"])


def collect_tests(tests_dir, rubric):
    """{test id: (file, decorators)} of every graded test, without running any."""
    import pytest

    from autograder.plugin import GradingPlugin
    grading = GradingPlugin(rubric)
    code = pytest.main(pytest_args(tests_dir, False) + ["--collect-only"], plugins=[grading])
    if grading.collection_errors or code not in (0, 5):
        raise RuntimeError(f"the graded tests could not be collected (pytest exit code {int(code)}):\n"
                           + "\n".join(grading.collection_errors))
    return grading.collected


def isolation_lines(isolation):
    """For staff: each confinement layer, on or off, and why."""
    return ["isolation:"] + [f"  {name:<18} {'on ' if layer['on'] else 'OFF'}  {layer['detail']}"
                             for name, layer in isolation["layers"].items()]


def lock_grader_files(paths):
    """As root, make the grader's own files (and a batch's submissions and results) unreadable to
    everyone else: to the sandbox users. The whole checkout is closed (mode 0700), so whatever
    appears in it later (dist/, selftests/, a batch's output) is closed too; workers read numpy
    from a copy outside it (sandbox/runtime.py)."""
    if os.geteuid() != 0:
        return
    for path in paths:
        if path and os.path.exists(path):
            os.chmod(path, os.stat(path).st_mode & 0o700)


def summary_table(results, width=None):
    """The results as a plain-text table (file, test, points, status) that fits the terminal: long
    names wrap between words, points show at most two decimals, student text shows its controls."""
    from autograder.escaping import terminal
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = []
    for test in results.get("tests", []):
        extra = test.get("extra_data", {})
        status = test.get("status", "")
        name = f"{test.get('number', '')} {test.get('name', '').split(': ', 1)[-1]}".strip()
        rows.append((terminal(extra.get("file") or ""), terminal(name),
                     f"{points(test.get('score', 0))}/{points(test.get('max_score', 0))}",
                     status if status != "failed" else f"failed ({extra.get('kind', '')})"))
    header = ("file", "test", "points", "status")
    widths = [max([len(row[i]) for row in rows + [header]]) for i in range(4)]
    widths[1] = max(20, min(widths[1], width - widths[0] - widths[2] - widths[3] - 6))
    lines = [_table_row(header, widths), "  ".join("-" * w for w in widths)]
    lines += [_table_row(row, widths) for row in rows]
    possible = results.get("extra_data", {}).get("max_score")
    lines.append(f"\nscore: {points(results['score'])} / {'?' if possible is None else points(possible)}")
    if not results.get("tests"):
        lines.append(terminal(results.get("output", "")))
    return "\n".join(lines)


def _table_row(cells, widths):
    """One row, its test name wrapped between words onto as many lines as it needs."""
    name_lines = textwrap.wrap(cells[1], widths[1], break_long_words=False, break_on_hyphens=False) or [""]
    first = [cells[0].ljust(widths[0]), name_lines[0].ljust(widths[1]), cells[2].ljust(widths[2]), cells[3]]
    more = [" " * widths[0] + "  " + line for line in name_lines[1:]]
    return "\n".join(["  ".join(first).rstrip()] + more)


def points(value):
    """Points as people write them: 91.67, 2.5, 15 (never 91.6666666)."""
    return f"{round(float(value), 2):g}"


if __name__ == "__main__":
    sys.exit(main())
