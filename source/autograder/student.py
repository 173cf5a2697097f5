"""How a graded test reaches student code: proxies for the student's files and functions.

`student_file("batchnorm.py")` gives an object whose attributes are the student's functions;
calling one ships the arguments to a sandboxed worker and returns the plain data it answered,
or raises a StudentFailure. The proxy holds no student object, only names.

The pytest plugin binds the session (the sandbox and the current test's settings) before the
first test runs; tests never see the sandbox itself.
"""
import dataclasses

import pytest

from autograder import failures


@dataclasses.dataclass
class TestContext:
    """What the plugin knows about the test that is running."""
    call_timeout: float = None
    reveal: bool = False
    printed: list = dataclasses.field(default_factory=list)
    last_call: tuple = None
    last_result: object = None  # what that call returned, for naming a known mistake it matches
    misconceptions: bool = True  # rubric.yaml feedback: {misconceptions: ...}


class _Session:
    sandbox = None
    test = TestContext()
    planned = None  # while plan() runs a forward: the calls it would make


SESSION = _Session()


def bind(sandbox):
    SESSION.sandbox = sandbox


def begin_test(call_timeout, reveal, misconceptions=True):
    SESSION.test = TestContext(call_timeout=call_timeout, reveal=reveal, misconceptions=misconceptions)
    return SESSION.test


def last_call():
    """(function name, args, kwargs) of the test's latest call into student code, or None."""
    return SESSION.test.last_call


class StudentFile:
    """A student file as the tests see it; attribute access gives callable proxies."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, function):
        if function.startswith("_"):
            raise AttributeError(function)
        return StudentFunction(self._name, function)

    def grades(self, *functions):
        """Mark a test as grading these functions of this file (for results and reports)."""
        return pytest.mark.grades(file=self._name, functions=list(functions))

    def __repr__(self):
        return f"<student file {self._name}>"


class StudentFunction:
    def __init__(self, file, name):
        self.file, self.name = file, name

    def __call__(self, *args, **kwargs):
        if SESSION.planned is not None:
            SESSION.planned.append((self, args, kwargs))
            return Planned(len(SESSION.planned) - 1)
        return self.calls([(args, kwargs)])[0]

    def calls(self, arguments):
        """What the function returns for each (args, kwargs), all sent to the worker at once."""
        return list(self.each(arguments))

    def each(self, arguments):
        """What the function returns for each (args, kwargs), one at a time, as separate calls
        would have: all are sent to the worker at once, yet a failure or a changed input is raised
        only when its own call's turn comes."""
        for outcome in self.outcomes(arguments):
            if isinstance(outcome, failures.StudentFailure):
                raise outcome
            yield outcome

    def outcomes(self, arguments, past_failures=False):
        """For each (args, kwargs) in turn, what it returned or the StudentFailure it caused
        (yielded, not raised), all sent to the worker at once. The call being looked at is the
        test's latest call, and only its own printed output is in the feedback so far. Without
        `past_failures` the first failure is the last outcome."""
        if SESSION.sandbox is None:
            raise RuntimeError("student code can only be called inside a grading session")
        test = SESSION.test
        made = SESSION.sandbox.calls(self.file, self.name, arguments, test.call_timeout, visible=test.reveal,
                                     past_failures=past_failures)
        for (args, kwargs), outcome in zip(arguments, made):
            test.last_call, test.last_result = (self.name, args, kwargs), None
            if isinstance(outcome, failures.StudentFailure):
                test.printed.append(getattr(outcome, "printed", ""))
                yield outcome
                continue
            test.printed.append(outcome.printed)
            if outcome.mutated:
                yield failures.InputMutated(self.name, outcome.mutated)
                continue
            test.last_result = outcome.value
            yield outcome.value

    def __repr__(self):
        return f"<student function {self.file}:{self.name}>"


def student_file(name):
    return StudentFile(name)


class Planned:
    """What a student function returns while plan() runs a forward: a placeholder, no value."""
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def plan(forward, points):
    """Run `forward` at each point ({name: value}) with calls into student code written down, not made.

    (function, [(args, kwargs) per point]) when forward(**point) is exactly one call of the same
    student function at every point (it may compute the arguments, not use the result): a gradient
    check then sends them to the worker at once. Otherwise (None, outputs): what forward returned
    at the first point if that called no student code (a formula is not run twice), else [].
    """
    SESSION.planned = planned = []
    try:
        for i, point in enumerate(points):
            returned = forward(**point)
            if type(returned) is not Planned or returned.index != i or len(planned) != i + 1:
                return None, [returned] if i == 0 and not planned else []
    except Exception:  # the forward did something with a placeholder: it is run for real instead
        return None, []
    finally:
        SESSION.planned = None
    functions = {(function.file, function.name) for function, _, _ in planned}
    if len(functions) != 1:
        return None, []
    return planned[0][0], [(args, kwargs) for _, args, kwargs in planned]
