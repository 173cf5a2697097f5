"""What a graded test asserts: a student's result against the expected one, in the trusted process.

`check` compares any structure the spec allows (arrays, floats, ints, strings, tuples/lists that
are interchangeable, dicts whose extra keys are ignored) and raises `Mismatch`, a StudentFailure
that carries partial credit: the share of the top-level parts (dx, dgamma, dbeta ...) that were right.
`match_reference` runs the reference on the same inputs first; `must_raise` expects an exception.
"""
import contextlib
import copy
import dataclasses

import numpy as np

from autograder import failures, feedback, student
from autograder.escaping import student as student_text
from autograder.feedback import Note


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """|got - expected| <= rtol * |expected| + scale * S + atol, entry by entry.

    S, the size of the problem, is the largest finite |value| in the *whole* expected result (every
    part of a tuple or dict: dx, dgamma and dbeta together), so a part that is exactly zero, or tiny
    next to the others, is judged at the scale of the result it belongs to. The defaults accept any
    correct float64 order of operations and a conventional stabilising epsilon (<= 1e-8, e.g. in a
    softmax denominator, beside a variance or inside a log), whose effect is at most about 1e-6
    relative on the graded inputs; every real mistake in the corpus is far outside them.
    """
    rtol: float = 1e-5
    scale: float = 1e-6
    atol: float = 1e-12
    magnitude: float = None  # S; None until bound to a result (then each part's own largest value)

    def bound_to(self, expected):
        """This tolerance with S taken from the whole expected result."""
        return dataclasses.replace(self, magnitude=_largest(expected))

    def floor(self, expected):
        """The allowance that does not depend on the entry: atol + scale * S."""
        top = self.magnitude
        if top is None:
            finite = np.abs(expected[np.isfinite(expected)])
            top = float(finite.max()) if finite.size else 0.0
        return self.atol + self.scale * top, top

    def allowed(self, expected):
        """Allowed |got - expected| per entry; -1 where expected is inf or NaN (only equality will do)."""
        floor, _ = self.floor(expected)
        with np.errstate(invalid="ignore"):
            return np.where(np.isfinite(expected), floor + self.rtol * np.abs(expected), -1.0)

    def text(self, expected, called="expected", whole="of the whole expected result"):
        """The allowance as applied, in words: with its numbers for a visible test, as a rule for a
        hidden one (the numbers would tell the size of the expected values)."""
        floor, top = self.floor(expected)
        hidden = f"allowed error {self.rtol:g} x |value| + {self.scale:g} x the largest |value| of the whole result"
        visible = (f"allowed error {self.rtol:g} x |{called}| + {floor:.2g} ({self.scale:g} x {feedback.number(top)}, "
                   f"the largest |value| {whole})")
        return Note(hidden, visible)


def _largest(value):
    """The largest finite |number| anywhere in an expected result (arrays, numbers, tuples, dicts)."""
    if isinstance(value, dict):
        return max((_largest(v) for v in value.values()), default=0.0)
    if isinstance(value, (list, tuple)) and not _is_numeric_sequence(value):
        return max((_largest(v) for v in value), default=0.0)
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        return 0.0
    try:
        array = np.abs(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError, OverflowError):
        return 0.0
    finite = array[np.isfinite(array)]
    return float(finite.max()) if finite.size else 0.0


DEFAULT = Tolerance()


class Mismatch(failures.StudentFailure):
    kind = "wrong result"

    def __init__(self, header, notes, fraction):
        self.header, self.notes, self.fraction = header, notes, fraction
        super().__init__(header.hidden + "\n" + "\n".join(n.hidden for n in notes))

    def render(self, reveal):
        return "\n".join(t for t in [self.header.text(reveal)] + [n.text(reveal) for n in self.notes] if t)


def check(got, expected, *, name="result", names=None, tol=DEFAULT, case=None, result=None):
    """Raise Mismatch unless got matches expected; partial credit per top-level part.

    `name` labels a single result; `names` the parts of a tuple result (("dx", "dgamma", "dbeta"));
    dict results are labelled by their keys. `case` says in words which input this was ("a batch of one example").
    `result`: what the student's function returned, when `got` is derived from it (a table turned into
    records); a known mistake is named only when that is the latest call's own return value.
    """
    tol = tol.bound_to(expected)
    parts = _parts(got, expected, names)
    if parts is None:
        notes = compare(got, expected, name, tol)
        fraction = 0.0
    else:
        per_part = [compare(g, e, name, tol) for name, g, e in parts]
        notes = [n for part in per_part for n in part]
        fraction = sum(not part for part in per_part) / len(per_part)
    if notes:
        raise _mismatch(_header(case), notes, fraction, got if result is None else result)


def _mismatch(header, notes, fraction, result):
    """The failure, naming the known mistakes (misconceptions.py) that the student's result matches."""
    from autograder import misconceptions  # it compares with check's own tools, so it imports this module
    ids, named = [], None
    if result is not None and result is student.SESSION.test.last_result:
        ids, named = misconceptions.explain(student.last_call(), result)
    failure = Mismatch(header, notes + ([named] if named else []), fraction)
    failure.misconceptions = ids
    return failure


def _parts(got, expected, names):
    """[(name, got_part, expected_part)] for a tuple or dict result whose container is right."""
    if isinstance(expected, tuple) and isinstance(got, (list, tuple)) and len(got) == len(expected):
        labels = names or [f"result[{i}]" for i in range(len(expected))]
        return list(zip(labels, got, expected))
    if isinstance(expected, dict) and isinstance(got, dict):
        return [(f'result["{k}"]', got.get(k, _MISSING), v) for k, v in expected.items()]
    return None


_MISSING = object()


def compare(got, expected, name, tol=DEFAULT):
    """Notes on everything wrong with got (an empty list when it matches)."""
    if got is _MISSING:
        return [Note.same(f"`{name}` is missing from the dict you returned.")]
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "biuf" \
            and not isinstance(expected, np.ndarray):
        got = got.item()
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [Note.same(f"`{name}` should be a dict with keys {', '.join(map(repr, expected))}, "
                              f"but it is {feedback.kind_of(got)}.")]
        return [n for k, v in expected.items() for n in compare(got.get(k, _MISSING), v, f'{name}["{k}"]', tol)]
    if isinstance(expected, (tuple, list)) and not _is_numeric_sequence(expected):
        if isinstance(got, np.ndarray) and got.ndim == 1 and got.dtype.kind == "U":
            got = [str(s) for s in got]  # an array of strings is a sequence of strings
        if not isinstance(got, (tuple, list)):
            return [Note.same(f"`{name}` should be a sequence of {len(expected)} items, "
                              f"but it is {feedback.kind_of(got)}.")]
        if len(got) != len(expected):
            return [Note(f"`{name}` has {len(got)} items but should have {len(expected)}.",
                         f"`{name}` has {len(got)} items but should have {len(expected)}: expected {expected!r}, "
                         f"got {_shown(got, 300)}.")]
        return [n for i, (g, e) in enumerate(zip(got, expected)) for n in compare(g, e, f"{name}[{i}]", tol)]
    if isinstance(expected, str):
        if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind == "U":
            got = got.item()
        if isinstance(got, str) and str(got) == expected:
            return []
        return [Note(f"`{name}` is wrong.", f"`{name}`: expected {expected!r}, got {_shown(got)}.")]
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected):
            return []
        return [Note(f"`{name}` is wrong.", f"`{name}`: expected {expected!r}, got {_shown(got)}.")]
    if isinstance(expected, (int, np.integer)):
        return _compare_integer(got, int(expected), name)
    return _compare_array(got, np.asarray(expected, dtype=np.float64), name, tol)


def _shown(value, limit=200):
    """A student's value inside a sentence: briefly, marked as the student's (shown as code)."""
    return student_text(_short_repr(value, limit), code=True)


def _short_repr(value, limit=200):
    """repr() of a student's value, cut at `limit` characters (arrays printed briefly)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {feedback.shape_text(value.shape)} and dtype {value.dtype}"
    with np.printoptions(threshold=20, edgeitems=3):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _is_numeric_sequence(value):
    return len(value) > 0 and all(isinstance(v, (float, int, np.number)) and not isinstance(v, bool) for v in value)


def _compare_integer(got, expected, name):
    whole = isinstance(got, (int, np.integer)) or (isinstance(got, (float, np.floating)) and float(got).is_integer())
    if isinstance(got, (bool, np.bool_)) or not whole:
        return [Note.same(f"`{name}` should be a whole number, but it is {feedback.kind_of(got)} "
                          f"({_shown(got, 60)}).")]
    if int(got) == expected:
        return []
    return [Note(f"`{name}` is wrong.", f"`{name}`: expected {expected}, got {int(got)}.")]


def _compare_array(got, expected, name, tol):
    try:
        array = np.asarray(got)
    except (ValueError, TypeError):
        return [Note.same(f"`{name}` could not be read as an array of numbers (ragged nested lists?).")]
    if array.dtype.kind not in "biuf":
        return [feedback.not_numeric(name, got, expected.shape)]
    low_precision = array.dtype.kind == "f" and array.dtype.itemsize < 8
    array = array.astype(np.float64)
    if array.shape != expected.shape:
        return [feedback.shape_mismatch(name, array.shape, expected.shape)]
    if (~np.isfinite(array) & np.isfinite(expected)).any():
        return [feedback.non_finite(name, array, expected)]
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (np.abs(array - expected) <= tol.allowed(expected)) | (array == expected) \
            | (np.isnan(array) & np.isnan(expected))
    if ok.all():
        return []
    note = feedback.wrong_values(name, array, expected, ~ok, tol.text(expected))
    if low_precision:
        why = (f"\nYour `{name}` came back as a lower-precision float; compute in float64 (numpy keeps float64 "
               "inputs in float64 unless you convert them, e.g. with np.float32 or dtype=...).")
        note = Note(note.hidden + why, note.visible + why)
    return [note]


def _header(case):
    call = student.last_call()
    suffix = f" ({case})" if case else ""
    if call is None:
        return Note.same(f"Wrong result{suffix}:")
    return Note(f"{feedback.describe_call(*call, reveal=False)}{suffix} returned a wrong result:",
                f"{feedback.describe_call(*call, reveal=True)}{suffix} returned a wrong result:")


def match_reference(function, reference, args=(), kwargs=None, *, name="result", names=None, tol=DEFAULT,
                    case=None):
    """Call the student's function and the reference on the same inputs, then `check`."""
    kwargs = kwargs or {}
    expected = reference(*_copied(args), **_copied(kwargs))
    got = function(*args, **kwargs)
    check(got, expected, name=name, names=names, tol=tol, case=case)
    return got


def match_reference_on(function, reference, cases, *, name="result", names=None, tol=DEFAULT):
    """`match_reference` on each of `cases`, (case, args) or (case, args, kwargs) with `case` the
    words for that input (or None): one exchange with the worker for them all, then each checked in
    order, so the student reads exactly what a loop of match_reference calls would tell them."""
    cases = [(case, args, rest[0] if rest else {}) for case, args, *rest in cases]
    expected = [reference(*_copied(args), **_copied(kwargs)) for _, args, kwargs in cases]
    answers = function.each([(args, kwargs) for _, args, kwargs in cases])
    for (case, _, _), want, got in zip(cases, expected, answers):
        check(got, want, name=name, names=names, tol=tol, case=case)


def _copied(value):
    """A copy the reference may change without touching the student's inputs: deepcopy's result,
    several times faster on the arrays, lists and numbers tests pass."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (list, tuple):
        return type(value)(_copied(v) for v in value)
    if type(value) is dict:
        return {k: _copied(v) for k, v in value.items()}
    if value is None or type(value) in (bool, int, float, str) or isinstance(value, np.generic):
        return value
    return copy.deepcopy(value)


@contextlib.contextmanager
def must_raise(exception, when, mentioning=None):
    """The block must make the student's code raise `exception` (or a subclass); `when` says why.

    `mentioning`: a text the exception's message must contain (e.g. the offending layer's name).
    """
    wanted = f"{exception.__module__}.{exception.__qualname__}"
    try:
        yield
    except failures.StudentRaised as raised:
        if wanted in raised.error_types:
            if mentioning is None or mentioning in raised.message:
                return
            raise failures.StudentFailure(
                f"{raised.function} raised {exception.__name__} {when}, as it should, but its message "
                f"should name {mentioning!r}; it says: {student_text(repr(raised.message[:200]), code=True)}") from None
        got = raised.error_types[0].removeprefix("builtins.") if raised.error_types else "something else"
        raise failures.StudentFailure(
            f"{raised.function} should raise {exception.__name__} {when}, but it raised "
            f"{student_text(got, 100)}.",
            raised.details) from None
    call = student.last_call()
    function = call[0] if call else "the function"
    raise failures.StudentFailure(f"{function} should raise {exception.__name__} {when}, but it returned normally.")


def must_raise_on(function, exception, cases):
    """`must_raise` for each of `cases`, (when, args) or (when, args, mentioning): every call in one
    exchange with the worker, judged in order, so the student reads exactly what a loop of
    `with must_raise(exception, when, mentioning): function(*args)` blocks would tell them."""
    cases = [(when, args, rest[0] if rest else None) for when, args, *rest in cases]
    outcomes = function.outcomes([(args, {}) for _, args, _ in cases], past_failures=True)
    for (when, _, mentioning), outcome in zip(cases, outcomes):
        with must_raise(exception, when, mentioning):
            if isinstance(outcome, failures.StudentFailure):
                raise outcome


def fail(hidden, visible=None, fraction=0.0):
    """Fail the test with these words; `visible` (may show expected values) defaults to `hidden`."""
    raise Mismatch(Note.same(""), [Note(hidden, visible or hidden)], fraction)
