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
        if SESSION.sandbox is None:
            raise RuntimeError("student code can only be called inside a grading session")
        test = SESSION.test
        test.last_call, test.last_result = (self.name, args, kwargs), None
        try:
            result = SESSION.sandbox.call(self.file, self.name, args, kwargs, test.call_timeout, visible=test.reveal)
        except failures.StudentFailure as failure:
            test.printed.append(getattr(failure, "printed", ""))
            raise
        test.printed.append(result.printed)
        if result.mutated:
            raise failures.InputMutated(self.name, result.mutated)
        test.last_result = result.value
        return result.value

    def __repr__(self):
        return f"<student function {self.file}:{self.name}>"


def student_file(name):
    return StudentFile(name)
