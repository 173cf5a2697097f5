"""Gradient checks a student can see: their backward pass against finite differences of a forward.

    grads = bn.batchnorm_backward(dout, x, gamma, eps=0.1)
    gradient_check(grads, lambda x, gamma, beta: bn.batchnorm_forward(x, gamma, beta, eps=0.1),
                   at={"x": x, "gamma": gamma, "beta": beta}, upstream=dout,
                   names={"dx": "x", "dgamma": "gamma", "dbeta": "beta"})

The forward is the student's *own* function, called through the sandbox like any other (or, where
the spec gives the function as a formula and students write no forward, that formula), so the check
uses nothing of the reference and can run in a visible test before the due date. Central
differences (L(x + h) - L(x - h)) / 2h of the scalar loss L = sum(upstream * forward(...)) give
each entry of each gradient; on the small, smooth inputs the tests choose they are accurate to
about 1e-9, far inside the allowance, while a missing term or factor is off by far more.

Checked, each with its own sentence: the container the backward returned (a tuple of the right
length, a dict with the right keys), every gradient's shape (that of its input), the forward's
output (shape, finite), and every entry. A failure says which gradients and which entries
disagree, counts the gradients that agree as partial credit, and names a known mistake when the
backward's result matches one (misconceptions.py). A forward that fails is reported as the reason
the gradients could not be checked.
"""
import numpy as np

from autograder import failures, feedback, misconceptions, student
from autograder.checks import Mismatch, Tolerance
from autograder.feedback import Note

STEP = 1e-5
TOLERANCE = Tolerance(rtol=1e-5, scale=1e-6)


def gradient_check(grads, forward, at, *, upstream=None, names=None, take=None, forward_name=None, case=None):
    """Fail unless the gradients a backward pass returned agree with finite differences of `forward`.

    grads:    what the student's backward returned (call it just before: the latest call names it).
    forward:  called as forward(**values) -> the output; a lambda around the student's forward, or a formula.
    at:       {input name: value}, the point of the check; arrays and floats.
    upstream: dL/d(output), shaped like the output; None for a scalar output (then L = output).
    names:    {gradient name: input name}: the keys of a dict result, the labels of a tuple result in
              order ({"dx": "x", ...}), or one label for a single gradient; None when the backward
              returns a dict keyed by the input names.
    take:     the key under which a forward that returns a dict gives its output ("loss").
    forward_name: how sentences call a formula forward ("||x||^2"); a student's forward is "your <function>".
    """
    call = student.last_call()
    pairs = _pairs(grads, names, at, call)
    checked = []
    for name, value, source in pairs:
        array, problem = _as_gradient(name, value, np.shape(at[source]), source)
        checked.append((name, array, source, problem))
    losses = _loss(forward, upstream, take, forward_name, call)
    numeric = _central_differences(losses, at, [source for _, _, source, problem in checked if problem is None])
    described = _forward_named(forward_name, call)
    tol = TOLERANCE.bound_to(tuple(numeric.values()))
    per_gradient = [[problem] if problem else _disagreement(name, array, numeric[source], tol)
                    for name, array, source, problem in checked]
    wrong = sum(1 for notes in per_gradient if notes)
    if wrong:
        raise _failure(call, grads, described, case, [n for notes in per_gradient for n in notes],
                       1.0 - wrong / len(per_gradient))


def elementwise_check(derivative, function, z, *, name, forward_name=None, case=None):
    """Fail unless `derivative` (what e.g. sigmoid_grad(z) returned) is the elementwise derivative of
    `function` at z, from two calls: (function(z + h) - function(z - h)) / 2h, entry by entry."""
    call = student.last_call()
    got, problem = _as_gradient(name, derivative, z.shape, None)
    if problem:
        raise _failure(call, derivative, forward_name, case, [problem], 0.0)
    values = _outputs(lambda z: function(z), [{"z": z + STEP}, {"z": z - STEP}], call)
    forward_name = _forward_named(forward_name, call)
    outputs = [_as_output(value, z.shape, forward_name, call) for value in values]
    numeric = (outputs[0] - outputs[1]) / (2 * STEP)
    notes = _disagreement(name, got, numeric, TOLERANCE.bound_to(numeric))
    if notes:
        raise _failure(call, derivative, forward_name, case, notes, 0.0)


def jacobian_check(jacobian, function, x, *, name, forward_name, case=None):
    """Fail unless `jacobian` is J[i, j] = d function(x)_i / d x_j, of shape output.shape + x.shape.
    `function` is a formula (trusted code), so its output needs no checking."""
    call = student.last_call()
    output = np.asarray(function(x), dtype=np.float64)
    got, problem = _as_gradient(name, jacobian, output.shape + x.shape, None)
    if problem:
        raise _failure(call, jacobian, forward_name, case, [problem], 0.0)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step.flat[j] = STEP
        columns.append((np.asarray(function(x + step)) - np.asarray(function(x - step))) / (2 * STEP))
    numeric = np.stack(columns, axis=-1).reshape(output.shape + x.shape)
    notes = _disagreement(name, got, numeric, TOLERANCE.bound_to(numeric))
    if notes:
        raise _failure(call, jacobian, forward_name, case, notes, 0.0)


# ---------------------------------------------------------------- the gradients returned

def _pairs(grads, names, at, call):
    """[(gradient name, value, input name)], or a failure that says how the container is wrong."""
    function = call[0] if call else "the backward pass"
    problem = None
    if names is None:
        if not isinstance(grads, dict):
            problem = (f"{function} should return a dict with keys {', '.join(map(repr, at))}, but it returned "
                       f"{feedback.kind_of(grads)}.")
        elif any(key not in grads for key in at):
            missing = ", ".join(repr(key) for key in at if key not in grads)
            problem = f"The dict {function} returned has no key {missing}: it needs one gradient per input."
        else:
            return [(f'result["{key}"]', grads[key], key) for key in at]
    elif isinstance(grads, dict) and all(name in grads for name in names):
        return [(f'result["{name}"]', grads[name], source) for name, source in names.items()]
    elif len(names) == 1:
        ((name, source),) = names.items()
        return [(name, grads, source)]
    elif isinstance(grads, dict):
        missing = ", ".join(repr(name) for name in names if name not in grads)
        problem = f"The dict {function} returned has no key {missing}."
    elif not isinstance(grads, (tuple, list)) or len(grads) != len(names):
        problem = (f"{function} should return {len(names)} gradients ({', '.join(names)}), but it returned "
                   f"{feedback.kind_of(grads)}.")
    else:
        return [(name, value, source) for (name, source), value in zip(names.items(), grads)]
    raise _failure(call, grads, None, None, [Note.same(problem)], 0.0, header=False)


def _as_gradient(name, value, shape, source):
    """(the gradient as a float array, None), or (None, a Note saying what is wrong with it)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None, Note.same(f"`{name}` should be an array of numbers of shape {feedback.shape_text(shape)}, "
                               f"but it is {feedback.kind_of(value)}.")
    if array.shape != tuple(shape):
        whose = f" A gradient has the shape of what it is taken with respect to, here `{source}`." if source else ""
        return None, Note.same(feedback.shape_mismatch(name, array.shape, shape).hidden + whose)
    if not np.isfinite(array).all():
        return None, Note.same(f"`{name}` contains NaN or inf on small, ordinary inputs: look for a division by "
                               "zero or a log of 0.")
    return array, None


# ---------------------------------------------------------------- the forward and its differences

def _loss(forward, upstream, take, forward_name, call):
    """losses(points): L at each point ({input: value}), L being sum(upstream * output) or the
    scalar output."""
    shape = () if upstream is None else np.shape(upstream)

    def losses(points):
        outputs = _outputs(forward, points, call)
        name = _forward_named(forward_name, call)
        arrays = [_as_output(_take(raw, take, name, call), shape, name, call) for raw in outputs]
        return [float(a) if upstream is None else float(np.sum(a * upstream)) for a in arrays]

    return losses


def _forward_named(forward_name, call):
    """The forward as sentences name it, once it has run: the formula's name, or "your <function>"."""
    latest = _latest_function(call)
    return forward_name or (f"your {latest}" if latest else "the forward pass")


def _central_differences(losses, at, sources):
    """{source: dL/d source} for each input in `sources`, from one call of losses: the point itself
    first, so that a broken output is reported before any step, then two steps per entry."""
    steps = {source: _steps(at, source) for source in sources}
    values = losses([at] + [point for points in steps.values() for point in points])[1:]
    numeric = {}
    for source, points in steps.items():
        shape = np.shape(at[source])
        mine, values = np.array(values[:len(points)]).reshape(shape + (2,)), values[len(points):]
        numeric[source] = (mine[..., 0] - mine[..., 1]) / (2 * STEP)
    return numeric


def _steps(at, source):
    """The points one step either side of `at` in each entry of input `source`, entry by entry."""
    point = np.asarray(at[source], dtype=np.float64)
    points = []
    for index in np.ndindex(*point.shape):
        for sign in (1.0, -1.0):
            moved = point.copy()
            moved[index] += sign * STEP
            points.append({**at, source: moved if point.ndim else float(moved)})
    return points


def _outputs(forward, points, call):
    """forward(**point) at every point. A forward that is one call of a student function (most are:
    lambda x: bn.batchnorm_forward(x, gamma, beta, eps=0.1)) makes its calls in one exchange with
    the worker, since each exchange costs more than such a call."""
    function, found = student.plan(forward, points)
    if function is not None:
        return _forward_call(function.calls, call, found)
    return found + [_forward_call(forward, call, **point) for point in points[len(found):]]


def _forward_call(forward, call, *args, **kwargs):
    """The forward's output; its own failure becomes the reason the gradients cannot be checked."""
    try:
        return forward(*args, **kwargs)
    except failures.StudentFailure as failure:
        backward = call[0] if call else "the backward pass"
        used = _latest_function(call) or "the forward pass"
        wrapped = failures.StudentFailure(
            f"To check the gradients of {backward}, the grader calls your {used}, which failed: {failure.summary}",
            failure.details)
        wrapped.kind = failure.kind
        raise wrapped from None


def _take(raw, take, function, call):
    if take is None:
        return raw
    if not isinstance(raw, dict) or take not in raw:
        _cannot_check(call, f"{function} should return a dict with the key {take!r}, but it returned "
                            f"{feedback.kind_of(raw)}")
    return raw[take]


def _as_output(value, shape, function, call):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        _cannot_check(call, f"{function} returned {feedback.kind_of(value)}, not numbers of shape "
                            f"{feedback.shape_text(shape)}")
    if array.shape != tuple(shape):
        _cannot_check(call, f"{function} returned an array of shape {feedback.shape_text(array.shape)}, but its output "
                            f"should have shape {feedback.shape_text(shape)}")
    if not np.isfinite(array).all():
        _cannot_check(call, f"{function} returned NaN or inf on small, ordinary inputs")
    return array


def _cannot_check(call, reason):
    backward = call[0] if call else "the backward pass"
    raise Mismatch(Note.same(""), [Note.same(f"The gradients of {backward} cannot be checked: {reason}.")], 0.0)


# ---------------------------------------------------------------- what the student reads

def _disagreement(name, got, numeric, tol):
    """[] if `got` agrees with the finite differences, else one Note that says where and by how much."""
    bad = np.abs(got - numeric) > tol.allowed(numeric)
    if not bad.any():
        return []
    diff = np.abs(got - numeric)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = float(np.max(np.where(numeric != 0, diff / np.abs(numeric), np.inf)[bad]))
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    at = feedback.index_text(name, first)
    head = f"`{name}` disagrees with the finite differences"
    if numeric.ndim:
        head += f" in {int(bad.sum())} of {bad.size} entr{'y' if bad.size == 1 else 'ies'}"
    sizes = f"largest difference {float(np.max(diff[bad])):.3g}, relative " + \
            (f"{rel:.3g}" if np.isfinite(rel) else "inf (a finite difference is 0)")
    allowance = tol.text(numeric, called="finite difference", whole="among all the finite differences")
    hidden = f"{head} ({sizes}; {allowance.hidden})." + (f" The first is {at}." if numeric.ndim else "")
    visible = (f"{head} ({sizes}; {allowance.visible}).\nAt {at}: yours is {feedback.number(got[first])}, "
               f"the finite difference is {feedback.number(numeric[first])}.")
    if 1 < numeric.size <= 12:
        visible += f"\nFinite differences {name} = {_array(numeric)}\nYour               {name} = {_array(got)}"
    hint = feedback.pattern_hint(got, numeric)
    if hint and hint.hidden:  # the hidden wording: it speaks of "your values", not of an expected one
        hidden, visible = hidden + f"\nHint: {hint.hidden}", visible + f"\nHint: {hint.hidden}"
    return [Note(hidden, visible)]


def _failure(call, result, forward, case, notes, fraction, header=True):
    """The Mismatch for gradients that disagree (or are malformed), naming a known mistake they match."""
    suffix = f" ({case})" if case else ""
    forward = forward or "the forward pass"
    if not header:
        top = Note.same("")
    elif call is None:
        top = Note.same(f"The gradients disagree with central finite differences of {forward}{suffix}:")
    else:
        top = Note(f"{feedback.describe_call(*call, reveal=False)}{suffix} disagrees with central finite "
                   f"differences of {forward}:",
                   f"{feedback.describe_call(*call, reveal=True)}{suffix} disagrees with central finite "
                   f"differences of {forward}:")
    ids, named = misconceptions.explain(call, result)
    failure = Mismatch(top, notes + ([named] if named else []), fraction)
    failure.misconceptions = ids
    return failure


def _latest_function(call):
    """The function of the latest call into student code if it is not `call` (the backward) itself."""
    latest = student.last_call()
    return latest[0] if latest is not None and latest is not call else None


def _array(a):
    return np.array2string(a, precision=6, separator=", ", max_line_width=100, floatmode="maxprec").replace("\n", " ")
