"""Everything that can go wrong on the student's side of a call, as exceptions a test raises.

Each failure knows the sentence a student should read. The pytest plugin turns any of these
into a failed test with that text; any *other* exception in a test is the grader's own fault.
`kind` is a stable label for the class report.

Student text (an exception's type and message, a traceback, argument names) is kept apart from
the grader's words with escaping.student() and escaping.student_block(), capped, so that it is
shown as written wherever the sentence ends up.
"""
import re
import signal

from autograder.escaping import student, student_block
from autograder.sandbox.limits import LISTED


class StudentFailure(Exception):
    kind = "failed"
    fraction = 0.0

    def __init__(self, summary, details=""):
        super().__init__(summary)
        self.summary = summary
        self.details = details

    def render(self, reveal):
        """The text a student sees; `reveal` is False for hidden tests (no expected values)."""
        return self.summary + (f"\n\n{self.details}" if self.details else "")


class FileMissing(StudentFailure):
    kind = "file missing"

    def __init__(self, file, note):
        super().__init__(note or f"{file} was not found in your submission.")


class ImportFailed(StudentFailure):
    kind = "import error"

    def __init__(self, file, error):
        first, rest = _message(error)
        summary = f"{file} could not be imported: {student(error['type'], 100)}: {first}"
        if error["type"] in ("SyntaxError", "IndentationError", "TabError"):
            summary = f"{file} has a syntax error: {first}"
        elif error["type"] == "SystemExit":
            summary, rest = (f"{file} called sys.exit() while being imported; move script code under "
                             "`if __name__ == \"__main__\":`."), ""
        elif _missing_module(error):
            summary, rest = f"{file} could not be imported (ModuleNotFoundError): {_missing_module(error)}", ""
        super().__init__(summary, rest + _traceback_block(error))


class ImportTimeout(StudentFailure):
    kind = "import timeout"

    def __init__(self, file, seconds):
        super().__init__(
            f"Importing {file} took longer than {seconds:g} s, so none of its functions could be tested. "
            "Is there a long computation or an infinite loop at module level? Put such code under "
            "`if __name__ == \"__main__\":`.")


class MissingFunction(StudentFailure):
    kind = "missing function"

    def __init__(self, file, function):
        super().__init__(f"{file} has no function named {function}. Check the spelling against the starter file.")


class NotAttempted(StudentFailure):
    kind = "not attempted"

    def __init__(self, file, function):
        super().__init__(f"Not attempted: {function} in {file} still raises NotImplementedError.")


class StudentRaised(StudentFailure):
    kind = "raised"

    def __init__(self, file, function, error, note=""):
        types = error.get("types") or [error["type"]]
        # Module-qualified, so that a student's own class named ValueError is not taken for the builtin.
        self.function, self.error_types = function, [t if "." in t else f"builtins.{t}" for t in types]
        self.message = error["message"]
        first, rest = _message(error)
        summary = f"{function} raised {student(error['type'], 100)}: {first}"
        if error["type"] == "SystemExit":
            summary, rest = (f"{function} called sys.exit() (or raised SystemExit); a graded function must return "
                             "its result."), ""
        elif error["type"] == "MemoryError":
            summary, rest = f"{function} ran out of memory (MemoryError).", ""
        elif _missing_module(error):
            summary, rest = f"{function} raised ModuleNotFoundError: {_missing_module(error)}", ""
        if note:
            summary += f"\n{note}"
        super().__init__(summary, rest + _traceback_block(error))


class CallTimeout(StudentFailure):
    kind = "timeout"

    def __init__(self, file, function, seconds):
        super().__init__(
            f"{function} did not return within {seconds:g} s and was stopped. "
            "Look for an infinite loop, or a loop over far more elements than the inputs have.")


class WorkerDied(StudentFailure):
    kind = "crashed"

    def __init__(self, file, function, status, memory_mb):
        super().__init__(f"{function} {_death(status, memory_mb)}")


class ResultTooLarge(StudentFailure):
    kind = "result too large"

    def __init__(self, file, function, size, limit):
        of_size = f" of {size / 2**20:.1f} MB" if limit < size < 2**50 else ""
        super().__init__(
            f"{function} returned a value{of_size}, more than the {limit / 2**20:.0f} MB the grader "
            "accepts. Check the shape of what you return.")


class BadResult(StudentFailure):
    kind = "bad return type"

    def __init__(self, function, message):
        super().__init__(
            f"{function} returned something the grader cannot read: {student(message)}. "
            "Return numbers, numpy arrays, lists, tuples or dicts.")


class InputMutated(StudentFailure):
    kind = "mutated input"

    def __init__(self, function, names):
        listed = listing([student(name, 60, code=True) for name in names[:LISTED]], len(names))
        super().__init__(
            f"{function} modified its input {listed} in place. Functions must not change their arguments: "
            "work on a copy (e.g. `x = x.copy()`) or build new arrays instead of using `+=`, `-=` or "
            "slice assignment on an input.")


class DiskQuotaExceeded(StudentFailure):
    kind = "disk quota"

    def __init__(self, file, function, what):
        super().__init__(
            f"{function} was stopped for writing {what}. "
            "A graded function should return its result, not write files; remove np.save, open(..., \"w\") "
            "and similar calls.")


class BudgetExhausted(StudentFailure):
    kind = "not run"

    def __init__(self, seconds):
        super().__init__(
            f"Not run: the grading time budget of {seconds:g} s was used up by earlier tests "
            "(usually by functions that timed out).")


def listing(items, total=None):
    """'a, b, c' for the first LISTED of `total` items (default: all of them), then 'and N more'."""
    total = len(items) if total is None else total
    shown = ", ".join(items[:LISTED])
    return shown + (f" and {total - min(len(items), LISTED)} more" if total > LISTED else "")


def _message(error):
    """An exception message as (its first line, for a sentence; the rest, as a block or "")."""
    first, _, rest = error["message"].strip("\n").partition("\n")
    return student(first), (student_block(rest) + "\n" if rest.strip() else "")


ALLOWED_IMPORTS = "numpy and the Python standard library"
_NO_MODULE = re.compile(r"No module named '([^']+)'")


def _missing_module(error):
    """For a ModuleNotFoundError, the sentence that says what graded code may import; else ''."""
    if error.get("type") != "ModuleNotFoundError":
        return ""
    found = _NO_MODULE.search(str(error.get("message", "")))
    name = found.group(1).split(".")[0] if found else "a module"
    shown = f"`{name}`" if found and name.isidentifier() else "a module"
    return (f"{shown} is not available to graded code. Your files may import only {ALLOWED_IMPORTS} "
            "(and helper .py files of your own uploaded beside them); rewrite that part with numpy.")


def _traceback_block(error):
    if not error.get("traceback"):
        return ""
    return "Traceback (your code only):\n" + student_block(error["traceback"])


def _death(status, memory_mb):
    """A sentence for how a worker process ended; status is {"signal": n} or {"exit": n} or None."""
    if not status:
        return "stopped the worker process running it in an unexpected way."
    if "exit" in status:
        return (f"ended the process with exit code {status['exit']} (os._exit or similar) instead of "
                "returning a result.")
    number = status["signal"]
    if number == signal.SIGSEGV:
        return "crashed the process (segmentation fault)."
    if number == signal.SIGXCPU:
        return "used up its CPU time limit."
    if number == signal.SIGKILL:
        return (f"was killed, most likely for using more than the {memory_mb} MB memory limit "
                "(or by the grading time limit).")
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"was terminated by {name}."
