"""The pytest plugin that turns graded test runs into raw outcomes.

An outcome is what happened in one test, independent of the rubric: the fraction of credit
earned, and the feedback written twice (for a visible test and for a hidden one). Points and
visibility are applied later by results.py, so an instructor can change the rubric and rescore
without running student code again.

A test fails for the student when it raises a StudentFailure (wrong values, a crash, a timeout
...) or a plain AssertionError; any other exception is the grader's own error, reported as such.

gradescope-utils semantics hold for decorated tests: a score set with `set_score` stands even if
the test then fails, and a test without `@<file>.grades(...)` grades the file its module is named
for (`test_rnn.py` and `test_rnn_examples.py` grade rnn.py), for the rubric check as for grading.
"""
import dataclasses
import math
import re

import numpy as np
import pytest

from autograder import failures, student

DECORATOR_ATTRS = {
    "points": "__weight__", "number": "__number__", "visibility": "__visibility__",
    "tags": "__tags__", "hide_errors": "__hide_errors__",
}


@dataclasses.dataclass
class Outcome:
    id: str
    file: str
    functions: list
    fraction: float
    kind: str              # "passed", a StudentFailure kind, or "grader error"
    hidden_output: str     # feedback safe for a hidden test
    visible_output: str    # feedback that may show expected values
    printed: str = ""
    decorators: dict = dataclasses.field(default_factory=dict)
    doc: str = ""
    leaderboard: list = None
    seconds: float = 0.0
    internal: str = ""     # the grader's own traceback, for staff only (never in results.json)
    order: int = 0         # position in the test files, so results list tests as written
    misconceptions: list = dataclasses.field(default_factory=list)  # ids of named mistakes the feedback names

    @property
    def passed(self):
        return self.fraction >= 1.0


class GradingPlugin:
    def __init__(self, rubric):
        self.rubric = rubric
        self.outcomes = {}
        self.collected = {}  # test id -> (file, decorators)
        self.collection_errors = []

    def pytest_configure(self, config):
        config.pluginmanager.register(StudentFailureReports(), "student-failure-reports")

    # ---------------------------------------------------------------- collection

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext}")

    def pytest_collection_modifyitems(self, items):
        """Remember the tests as written (results list them so), then run them file by file, each
        file's visible tests before its hidden ones. A worker serves one file, so each file needs
        one worker; the sandbox gives a visible test of the next file a fresh worker and scratch
        folder anyway, so nothing a hidden test's inputs left behind reaches visible feedback."""
        self.order = {item.nodeid: i for i, item in enumerate(items)}
        for item in items:
            self.collected[item.nodeid] = (self.graded_file(item), decorators_of(item.obj))
        rank = {file: i for i, file in enumerate(dict.fromkeys(file for file, _ in self.collected.values()))}

        def position(item):
            file, decorators = self.collected[item.nodeid]
            return rank[file], self.rubric.settings(item.nodeid, decorators).visibility != "visible"

        items.sort(key=position)

    def graded_file(self, item):
        """The student file a test grades: its @<file>.grades(...) marker, else the file its module
        is named for when the rubric lists it (test_rnn.py -> rnn.py), else None."""
        marker = item.get_closest_marker("grades")
        if marker:
            return marker.kwargs.get("file")
        named = MODULE_FILE.fullmatch(item.nodeid.split("::")[0].split("/")[-1])
        file = f"{named.group(1)}.py" if named else None
        return file if file in self.rubric.files else None

    # ---------------------------------------------------------------- running

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        settings = self.rubric.settings(item.nodeid, decorators_of(item.obj))
        student.begin_test(settings.timeout, reveal=settings.visibility == "visible",
                           misconceptions=self.rubric.feedback.get("misconceptions", True))
        for attr in ("__score__", "__leaderboard_value__"):
            if attr in vars(item.obj):
                delattr(item.obj, attr)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = (yield).get_result()
        if call.when == "call" or (call.when == "setup" and report.failed):
            self.outcomes[item.nodeid] = self._outcome(item, call, report)

    def _outcome(self, item, call, report):
        marker = item.get_closest_marker("grades")
        decorators = decorators_of(item.obj)
        outcome = Outcome(
            id=item.nodeid, file=self.graded_file(item),
            functions=list(marker.kwargs.get("functions", [])) if marker else [],
            fraction=1.0, kind="passed", hidden_output="", visible_output="",
            printed="".join(student.SESSION.test.printed), decorators=decorators,
            doc=(item.obj.__doc__ or "").strip().split("\n")[0], seconds=report.duration,
            order=self.order.get(item.nodeid, 0))
        column = getattr(item.obj, "__leaderboard_column__", None)
        if column is not None and hasattr(item.obj, "__leaderboard_value__"):
            outcome.leaderboard = [column, item.obj.__leaderboard_value__,
                                   getattr(item.obj, "__leaderboard_sort_order__", "desc")]
        score = self._set_score(item, decorators)
        if report.passed:
            if score is not None:
                outcome.fraction = score
                outcome.kind = "passed" if outcome.fraction >= 1 else "partial credit"
            return outcome
        error = call.excinfo.value if call.excinfo else None
        outcome.fraction = score or 0.0  # as in gradescope-utils, a score set before the failure stands
        if isinstance(error, failures.StudentFailure):
            outcome.kind = error.kind
            outcome.fraction = max(outcome.fraction, getattr(error, "fraction", 0.0))
            outcome.misconceptions = list(getattr(error, "misconceptions", []))
            outcome.hidden_output, outcome.visible_output = error.render(False), error.render(True)
        elif isinstance(error, AssertionError) and call.when == "call":
            # A test author's own message is for students; pytest's rewritten "assert 3 == 4" would
            # show the expected value, so a hidden test shows it only when the author wrote words.
            text = str(error).split("\nassert ")[0].strip() or "Test failed."
            outcome.kind = "failed"
            outcome.visible_output = text
            outcome.hidden_output = "Test failed." if text.startswith("assert ") else text
        else:
            outcome.kind = "grader error"
            outcome.hidden_output = outcome.visible_output = (
                "The autograder itself failed in this test (not your code). Course staff have the details; "
                "please tell them.")
            outcome.printed = ""
            outcome.internal = report.longreprtext
        return outcome

    @staticmethod
    def _set_score(item, decorators):
        """The fraction of the weight a test gave itself with set_score (@partial_credit), or None.

        A score computed from a student's values can be NaN (min(1.0, nan) would be full credit) or
        an array: anything but one finite number earns nothing.
        """
        score, weight = getattr(item.obj, "__score__", None), decorators.get("points")
        if score is None or not weight:
            return None
        try:
            fraction = float(np.asarray(score, dtype=float).item()) / float(weight)
        except (TypeError, ValueError, OverflowError):
            return 0.0
        return max(0.0, min(1.0, fraction)) if math.isfinite(fraction) else 0.0


MODULE_FILE = re.compile(r"test_(\w+?)(?:_examples)?\.py")


class StudentFailureReports:
    """A student's failure needs no pytest traceback (formatting one costs ~50 ms a test): it is
    reported with its own one-line summary. Anything else gets pytest's full report."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        if call.excinfo is None or not isinstance(call.excinfo.value, failures.StudentFailure):
            return None
        return pytest.TestReport(
            item.nodeid, item.location, {k: 1 for k in item.keywords}, "failed", call.excinfo.value.summary,
            call.when, duration=call.duration, start=call.start, stop=call.stop,
            user_properties=item.user_properties)


def decorators_of(function):
    """gradescope-utils decorator values found on a test function, in rubric terms."""
    found = {key: getattr(function, attr) for key, attr in DECORATOR_ATTRS.items() if hasattr(function, attr)}
    if "tags" in found:
        found["tags"] = list(found["tags"])
    if "number" in found:
        found["number"] = str(found["number"])
    return found
