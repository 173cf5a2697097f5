"""The sentences a student reads when a value is wrong.

Every function here returns a `Note`: the same finding written twice, once for a visible test
(expected values may be shown) and once for a hidden one (they never are). Messages say which
output, what shape was expected and got, where NaN or inf appeared, how large the error is
(absolute and relative, as CS231n reports it), the first wrong entry, and a hint when the whole
error has a recognisable pattern: a flipped sign, a constant factor, an offset, a transpose.
"""
import dataclasses

import numpy as np

from autograder.escaping import student
from autograder.sandbox.limits import LISTED


@dataclasses.dataclass(frozen=True)
class Note:
    hidden: str
    visible: str

    @classmethod
    def same(cls, text):
        return cls(text, text)

    def text(self, reveal):
        return self.visible if reveal else self.hidden


def kind_of(value):
    """'a list of 3 items', 'a dict with keys a, b', 'None', 'a str' ... for 'got ...' sentences.

    A student's dict keys are listed LISTED at most, each cut short and marked as the student's.
    """
    if value is None:
        return "None"
    if isinstance(value, dict):
        if not value:
            return "an empty dict"
        keys = [student(repr(k), 40, code=True) for _, k in zip(range(LISTED), value)]
        more = f" and {len(value) - LISTED} more" if len(value) > LISTED else ""
        return f"a dict with keys {', '.join(keys)}{more}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {shape_text(value.shape)}"
    return f"a {type(value).__name__}"


def shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def index_text(name, index):
    return f"{name}[{', '.join(map(str, index))}]" if index else name


def number(x):
    return np.format_float_positional(x, precision=8, unique=True, trim="-") if np.isfinite(x) and 1e-4 <= abs(x) < 1e8 \
        else f"{x:.8g}"


def shape_mismatch(name, got_shape, expected_shape):
    text = f"`{name}` has shape {shape_text(got_shape)} but should have shape {shape_text(expected_shape)}."
    hint = ""
    if tuple(got_shape) == tuple(reversed(expected_shape)) and len(got_shape) == 2:
        hint = " It looks transposed."
    elif int(np.prod(got_shape)) == int(np.prod(expected_shape)):
        squeezed = tuple(n for n in got_shape if n != 1), tuple(n for n in expected_shape if n != 1)
        hint = (" Same entries, different axes: check for a missing or extra axis of length 1 "
                "(keepdims=True, reshape, or indexing with [:, None])." if squeezed[0] == squeezed[1]
                else " Same number of entries in a different layout: check your reshape.")
    elif len(got_shape) != len(expected_shape):
        hint = f" It has {len(got_shape)} ax{'i' if len(got_shape) == 1 else 'e'}s instead of {len(expected_shape)}."
    return Note.same(text + hint)


def not_numeric(name, got, expected_shape):
    what = kind_of(got)
    if isinstance(got, np.ndarray):
        what += f" with dtype {got.dtype}"
    return Note.same(f"`{name}` should be an array of numbers of shape {shape_text(expected_shape)}, "
                     f"but it is {what}.")


def non_finite(name, got, expected):
    """NaN or inf where the expected value is finite."""
    bad = ~np.isfinite(got) & np.isfinite(expected)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    kinds = " and ".join(k for k, m in (("NaN", np.isnan(got)), ("inf", np.isinf(got))) if (m & bad).any())
    text = (f"`{name}` contains {kinds} in {int(bad.sum())} of {bad.size} entries (first at "
            f"{index_text(name, first)}), where the expected values are finite. ")
    text += ("Look for a division by zero (0/0 gives NaN, e.g. an average over nothing), a log of 0, or "
             "exp() of a large number (with inputs of size 1e4 a formula must be rearranged to stay "
             "finite, e.g. subtract the maximum before exp).")
    visible = text
    if np.isfinite(expected[first]):
        visible += f"\nAt {index_text(name, first)} the expected value is {number(expected[first])}."
    return Note(text, visible)


def wrong_values(name, got, expected, bad, tolerance_text):
    """Entries outside the tolerance: count, error sizes, first wrong entry, and a pattern hint."""
    diff = np.abs(got - expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(expected != 0, diff / np.abs(expected), np.inf)
    where = np.argwhere(bad)
    first = tuple(int(i) for i in where[0])
    count = int(bad.sum())
    if expected.ndim == 0:
        head = f"`{name}` is wrong"
    elif count == bad.size:
        head = f"All {count} entries of `{name}` are wrong" if count > 1 else f"The one entry of `{name}` is wrong"
    else:
        head = f"`{name}` has {count} wrong {'entry' if count == 1 else 'entries'} out of {bad.size}"
    allowance = tolerance_text if isinstance(tolerance_text, Note) else Note.same(tolerance_text)
    sizes = (f" (largest absolute error {np.max(diff[bad]):.3g}, largest relative error "
             f"{_finite_max(rel[bad])}; ")
    hint = pattern_hint(got, expected)
    # For a single number, both errors together would give the expected value away.
    hidden = head + (sizes + allowance.hidden + ")" if expected.size > 1
                     else f" (relative error about {float(rel[bad].max()):.1g}; {allowance.hidden})") + "."
    if expected.ndim:
        hidden += f" The first wrong entry is {index_text(name, first)}."
    visible = head + sizes + allowance.visible + ")."
    visible += (f"\nAt {index_text(name, first)}: expected {number(expected[first])}, got {number(got[first])}."
                if expected.ndim else f"\nExpected {number(expected[()])}, got {number(got[()])}.")
    if 1 < expected.size <= 12:
        visible += f"\nExpected {name} = {_array(expected)}\nYour     {name} = {_array(got)}"
    if hint and hint.hidden:
        hidden += f"\nHint: {hint.hidden}"
    if hint and hint.visible:
        visible += f"\nHint: {hint.visible}"
    return Note(hidden, visible)


def pattern_hint(got, expected):
    """A Note naming a pattern that explains *every* wrong entry at once, or None.

    A pattern is named only when at least two entries give evidence for it: a factor or a sign
    needs two entries whose expected value is not 0, a transpose two entries that a transpose
    moves, an offset two entries at all. (With a single informative entry, "3 times the expected
    one" is as likely a different mistake that happens to give that number.) The hidden wording
    never lets a student reconstruct expected values from their own: it names a constant factor
    or offset without saying which, and leaves out sign flips and transposes.
    """
    if not np.isfinite(got).all() or not np.isfinite(expected).all() or not np.any(expected):
        return None
    top = float(np.max(np.abs(expected)))

    def close(a, b):
        return np.allclose(a, b, rtol=1e-6, atol=1e-9 * max(1.0, top))

    if not np.any(got):
        return Note.same("every value you returned is 0.")
    nonzero = np.abs(expected) > 1e-12 * top
    if np.count_nonzero(nonzero) >= 2:
        if close(got, -expected):
            return Note("", "your result has the opposite sign of the expected one: check the sign.")
        factor = float(np.median(got[nonzero] / expected[nonzero]))
        if abs(factor - 1.0) > 1e-6 and close(got, factor * expected):
            why = "a constant factor is missing or extra (e.g. 2, ½, 1/N or a learning rate)."
            return Note(f"all your values are off by the same factor: {why}",
                        f"every value is {factor:.6g} times the expected one: {why}")
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] \
            and np.count_nonzero(~np.isclose(expected, expected.T, rtol=1e-6, atol=1e-9 * top)) >= 2 \
            and close(got, expected.T):
        return Note("", "your result is the transpose of the expected one.")
    if expected.size >= 2:
        offset = float(np.median(got - expected))
        if close(got, expected + offset):
            return Note("every value is off by the same amount.",
                        f"every value is off by the same amount ({offset:.6g}).")
    return None


def _finite_max(values):
    finite = values[np.isfinite(values)]
    return f"{np.max(finite):.3g}" if finite.size == values.size else "inf (an expected value is 0)"


def _array(a):
    return np.array2string(np.asarray(a), precision=6, separator=", ", suppress_small=False,
                           max_line_width=100, floatmode="maxprec").replace("\n", " ")


def describe_value(value, reveal, limit=12):
    """An argument in a call description: small arrays in full when they may be shown."""
    if isinstance(value, np.ndarray):
        if reveal and value.size <= limit:
            return _array(value)
        return f"array of shape {shape_text(value.shape)}"
    if isinstance(value, (list, tuple, dict)) and not reveal:
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_call(function, args, kwargs, reveal):
    parts = [describe_value(a, reveal) for a in args]
    parts += [f"{k}={describe_value(v, reveal)}" for k, v in kwargs.items()]
    return f"{function}({', '.join(parts)})"
