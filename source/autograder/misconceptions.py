"""Named misconceptions: a wrong result that is exactly what a known mistake gives gets its name.

The catalogue of mistakes lives on the trusted side, in `source/reference/misconceptions.py`
(each entry is the reference function with one deliberate mistake, so it never ships in the
student kit; there, and wherever that module is absent, nothing is named). When a graded value is
wrong, `explain(call, result)` runs every mistake catalogued for the function on the same inputs,
and names those whose output the student's result matches, in a sentence that says what the
mistake is and reveals no expected value, so it may appear in hidden tests too.

A mistake matches when it really changes the result on this input (by far more than the grading
tolerance, in at least one part: dx, dgamma ...) and the student's result equals the mistake's in
every part the mistake changes. Mistakes that explain the whole result are named alone; only when
none does are those that explain some parts named (a second, unrelated bug then does not hide the
first). A result with no finite number in it is not explained at all: all-NaN is what many
mistakes give. The rubric switch `feedback: {misconceptions: false}` turns naming off. The ids
named go on the failure (`misconceptions`), from there into the outcome, and `./grader report`
counts them per function.
"""
import copy
import dataclasses
import importlib

import numpy as np

from autograder import checks, student
from autograder.feedback import Note

CATALOGUE_MODULE = "reference.misconceptions"
MATCH = checks.Tolerance()                       # the student's result against the mistake's
DISTINCT = checks.Tolerance(rtol=1e-3, scale=1e-4)  # the mistake's result against the correct one


@dataclasses.dataclass(frozen=True)
class Misconception:
    id: str            # stable, "<file stem>-<short name>", e.g. "batchnorm-unbiased-variance"
    function: str      # the graded function it belongs to, e.g. "batchnorm_forward"
    sentence: str      # what the student reads: the mistake and the fix, no expected values
    produce: object    # callable with the graded function's signature: what the mistake returns


_loaded = {}


def catalogue():
    """{function name: [Misconception]} from the catalogue module; {} where it is not available."""
    if "entries" not in _loaded:
        try:
            module = importlib.import_module(CATALOGUE_MODULE)
        except ImportError:
            _loaded["entries"], _loaded["correct"] = {}, None
        else:
            entries = {}
            for entry in module.CATALOGUE:
                entries.setdefault(entry.function, []).append(entry)
            _loaded["entries"], _loaded["correct"] = entries, module.correct
    return _loaded["entries"]


def enabled():
    return getattr(student.SESSION.test, "misconceptions", True)


def explain(call, result):
    """(ids, Note or None) for the known mistakes that `result`, returned by `call`, matches.

    Naming is a courtesy on top of a failure that stands on its own, so nothing here may turn a
    student's failure into a grader error: a catalogue entry that cannot run names nothing."""
    if call is None or not enabled():
        return [], None
    function, args, kwargs = call
    entries = catalogue().get(function)
    if not entries or not _any_finite(result):
        return [], None
    correct = _run(_loaded["correct"](function), args, kwargs)
    if correct is _FAILED:
        return [], None
    matches = [(entry, _match(result, _run(entry.produce, args, kwargs), correct)) for entry in entries]
    found = [entry for entry, how in matches if how == "whole"] or [entry for entry, how in matches if how == "parts"]
    if not found:
        return [], None
    if len(found) == 1:
        text = f"This looks like a known mistake: {found[0].sentence}"
    else:
        text = "This looks like one of these known mistakes:\n" + "\n".join(f"- {e.sentence}" for e in found)
    return [entry.id for entry in found], Note.same(text)


_FAILED = object()


def _run(function, args, kwargs):
    try:
        with np.errstate(all="ignore"):  # a mistake's own overflow or 0/0 is not the grader's warning to print
            return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception:  # noqa: BLE001 (a mistake that cannot run on this input is simply not named)
        return _FAILED


def _match(result, produced, correct):
    """"whole" if result is the mistake's result, "parts" if it is in every part the mistake changes, else None."""
    if produced is _FAILED or not _differ(produced, correct, DISTINCT.bound_to(correct)):
        return None
    tol = MATCH.bound_to(produced)
    if not _differ(result, produced, tol):
        return "whole"
    parts = list(zip(_split(result, correct), _split(produced, correct), _split(correct, correct)))
    changed = [(got, mistaken) for got, mistaken, right in parts if _differ(mistaken, right, DISTINCT.bound_to(correct))]
    if len(parts) > 1 and changed and not any(_differ(got, mistaken, tol) for got, mistaken in changed):
        return "parts"
    return None


def _differ(got, expected, tol):
    """Whether check() would reject `got` for `expected`; a value it cannot even compare differs."""
    if got is _ABSENT or expected is _ABSENT:
        return True
    try:
        return bool(checks.compare(got, expected, "part", tol))
    except Exception:  # noqa: BLE001 (student data that the comparison cannot take is simply not a match)
        return True


def _any_finite(value):
    """Whether a result holds at least one finite number (anywhere in its arrays, tuples, dicts)."""
    if isinstance(value, dict):
        return any(_any_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)) and not checks._is_numeric_sequence(value):
        return any(_any_finite(v) for v in value)
    if isinstance(value, (str, bytes)):
        return True
    try:
        return bool(np.isfinite(np.asarray(value, dtype=np.float64)).any())
    except (TypeError, ValueError, OverflowError):
        return False


def _split(value, like):
    """The top-level parts of `value`, laid out like `like` (a tuple of gradients, a dict ...)."""
    if isinstance(like, dict):
        return [value.get(key, _ABSENT) if isinstance(value, dict) else _ABSENT for key in like]
    if isinstance(like, (tuple, list)) and not checks._is_numeric_sequence(like):
        if isinstance(value, (tuple, list)) and len(value) == len(like):
            return list(value)
        return [_ABSENT] * len(like)
    return [value]


_ABSENT = object()  # a part the student's result lacks: it cannot match anything
