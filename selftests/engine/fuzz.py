"""Hypothesis strategies for what a hostile worker can send, and a sandbox that sends it.

Everything a worker sends ends up as one reply frame; `replies` draws them: the reference's own
answer, that answer damaged in the ways student code gets things wrong (or tries to break the
grader), random plain data, the student's exceptions of any type and message, and printed text
made of Markdown, HTML and terminal sequences. `FuzzedSandbox` answers every call of a graded
test with such a frame, read back exactly as the real controller reads one.
"""
import copy
import hashlib
import importlib
import os
import pickle

import numpy as np
from hypothesis import strategies as st

from autograder import failures
from autograder.sandbox import protocol
from autograder.sandbox.controller import first_result, interpret_all

MAX_BYTES = 16 << 20
OUTPUT_CHARS = 4000

# Pieces of text that have escaped, or could escape, the way text is shown.
NASTY = ["~~~~", "~~~", "```", "````", "`", "\n", "\r\n", "\t", "<img src=x onerror=alert(1)>", "<script>",
         "</pre>", "![p](http://t.example/p.png)", "[l](http://e.example)", "[l]: http://e.example",
         "# Autograder score: 100 / 100", "**Autograder score: 100 / 100**", "\n---\n", "\n===\n",
         "| a | b |\n|---|---|", "> quote", "- item", "1. item", "&lt;", "&#60;", "\\", "*", "_", "http://evil.example",
         "www.evil.example", "\x1b[2J\x1b[H", "\x1bc", "\x00", "\x07", "\u202e", "\u2028", "\u200b", "\u2061",
         "\u2062", "\u2063", "\u2064", "ResultTooLarge", "9" * 400, "é😀"]
nasty_text = st.lists(st.sampled_from(NASTY) | st.text(max_size=8), max_size=12).map("".join)
names = st.sampled_from(["x", "W1", "dout", "", "__class__", "<b>", "a" * 300]) | nasty_text

floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e308, -1e308, 1e-308, 5e-324, 1e200, 1e154, float("nan"), float("inf")])
ints = st.integers(-(2**70), 2**70) | st.sampled_from([10**400, -(10**400), 2**63, 2**64, -(2**63) - 1, 0, 1])
ALLOWED_DTYPES = ["<f8", "<f4", "<f2", "<i8", "<i1", "<u8", "|b1", "<U3", ">f8"]


@st.composite
def arrays(draw, shape=None):
    """A numpy array of an allowed dtype, of `shape` or a small random one, with extreme values."""
    if shape is None:
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
    dtype = np.dtype(draw(st.sampled_from(ALLOWED_DTYPES)))
    size = int(np.prod(shape)) if shape else 1
    if dtype.kind == "U":
        return np.array(draw(st.lists(nasty_text.map(lambda t: t[:3]), min_size=size, max_size=size)),
                        dtype=dtype).reshape(shape)
    if dtype.kind == "f":
        with np.errstate(over="ignore"):
            values = np.array(draw(st.lists(floats, min_size=size, max_size=size)), dtype=np.float64)
            return values.astype(dtype).reshape(shape)
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    values = draw(st.lists(st.integers(int(info.min), int(info.max)) if info else st.booleans(),
                           min_size=size, max_size=size))
    return np.array(values, dtype=dtype).reshape(shape)


scalars = st.none() | st.booleans() | ints | floats | nasty_text
plain = st.recursive(
    scalars | arrays(),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
    | st.dictionaries(names, inner, max_size=4),
    max_leaves=12)


def damaged(value):
    """A strategy for `value` damaged the ways a student's result can be wrong."""
    options = [st.just(value), plain]
    if isinstance(value, np.ndarray):
        options += [arrays(value.shape), arrays(),
                    st.just(value.tolist()), st.just(value.T), st.just(value.astype(str)),
                    st.just(value.astype(np.float32)), st.just(value[..., None]), st.just(-value),
                    st.just(np.full(value.shape, 1e200)), st.just(value * 1e300)]
    elif isinstance(value, (list, tuple)) and value:
        options += [st.integers(0, len(value) - 1).flatmap(
            lambda i: damaged(value[i]).map(lambda item: type(value)([*value[:i], item, *value[i + 1:]]))),
            st.just(list(value)), st.just(tuple(value)), st.just(value[:-1]), st.just([*value, value[0]]),
            st.just(type(value)(np.full(np.shape(v), 1e200) if isinstance(v, np.ndarray) else v for v in value))]
        if all(isinstance(v, str) for v in value):
            options += [st.just(np.array(value)), st.just(np.array([value]))]
    elif isinstance(value, dict) and value:
        keys = list(value)
        options += [st.sampled_from(keys).flatmap(lambda k: damaged(value[k]).map(lambda v: {**value, k: v})),
                    st.sampled_from(keys).map(lambda k: {key: v for key, v in value.items() if key != k}),
                    st.dictionaries(names, plain, max_size=3).map(lambda extra: {**extra, **value}),
                    st.just({str(i) * 200: i for i in range(40)})]
    elif isinstance(value, str):
        options += [nasty_text, st.just(np.array(value)), st.just(np.array([value, value]))]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        options += [ints, floats, st.just(np.array(value)), st.just([value]), st.just(str(value))]
    return st.one_of(*options)


@st.composite
def errors(draw):
    """The error part of a reply: the student's exception of any type and message, or the worker's own."""
    kind = draw(st.sampled_from(["ValueError", "NotImplementedError", "ResultTooLarge", "MissingFunction",
                                 "Unencodable", "SystemExit", "MemoryError", "SyntaxError"]) | nasty_text)
    types = draw(st.sampled_from([[kind], [f"toy.{kind}", "builtins.Exception"], [f"builtins.{kind}"], []])
                 | st.lists(nasty_text, max_size=3))
    message = draw(st.sampled_from(["", "12345", "9" * 400, "boom"]) | nasty_text)
    return {"type": kind, "types": types, "message": message, "traceback": draw(nasty_text)}


def _reference_answer(file, function, args, kwargs, cache={}):  # noqa: B006 (a cache on purpose)
    """The reference's answer to this call (or the exception it raised), computed once per call."""
    key = hashlib.sha256(pickle.dumps((file, function, args, kwargs))).hexdigest()
    if key not in cache:
        reference = importlib.import_module("reference." + os.path.splitext(file)[0])
        try:
            cache[key] = ("value", getattr(reference, function)(*copy.deepcopy(args), **copy.deepcopy(kwargs)))
        except Exception as error:  # the reference refuses bad inputs, as the tests expect students to
            cache[key] = ("error", error)
    return cache[key]


@st.composite
def replies(draw, file, function, args, kwargs):
    """One reply frame's message for a call of `function`, as a hostile or mistaken worker sends it."""
    kind, answer = _reference_answer(file, function, args, kwargs)
    reply = {"stdout": draw(st.just("") | nasty_text | st.just("z" * 9000)),
             "mutated": draw(st.just([]) | st.lists(names, max_size=3) | st.just(["a" * 500] * 3000))}
    if kind == "error":
        error = {"type": type(answer).__name__, "types": [f"builtins.{type(answer).__name__}"],
                 "message": str(answer), "traceback": ""}
        return {**reply, "ok": False, "error": draw(st.just(error) | errors())}
    if draw(st.integers(0, 9)) == 0:
        return {**reply, "ok": False, "error": draw(errors())}
    value = draw(damaged(answer))
    try:
        return {**reply, "ok": True, "value": protocol.encode(value)}
    except protocol.Unencodable as error:  # what the worker answers for such a value
        return {**reply, "ok": False, "error": {"type": "Unencodable", "types": ["Unencodable"],
                                                "message": str(error), "traceback": ""}}


class FuzzedSandbox:
    """The Sandbox interface (`calls`): every call answered with a drawn reply, read back through
    a frame, protocol.loads and controller.interpret_all, as the real controller reads a worker's."""

    def __init__(self, data):
        self.data = data

    def call(self, file, function, args, kwargs, timeout=None, visible=False):
        return first_result(self.calls(file, function, [(args, kwargs)], timeout, visible))

    def calls(self, file, function, arguments, timeout=None, visible=False, past_failures=False):
        answers = []
        for args, kwargs in arguments:
            answers.append(self.data.draw(replies(file, function, args, kwargs), label=f"reply of {function}"))
            if answers[-1]["ok"] is not True and not past_failures:
                break
        body = protocol.dumps({"replies": answers})[protocol.HEADER.size:]
        try:
            return read_reply(file, function, body, len(arguments), past_failures)
        except failures.StudentFailure as failure:  # a malformed frame: the Sandbox makes it the outcome
            return [failure]


def read_reply(file, function, body, count=1, past_failures=False):
    """What the controller makes of a reply frame's body: an outcome per call (a CallResult or a
    StudentFailure), or a StudentFailure raised when the frame as a whole is malformed."""
    try:
        message = protocol.loads(body)
    except protocol.ProtocolError as error:  # Sandbox.call's own wording for a frame it cannot read
        raise failures.BadResult(function, f"the worker sent a malformed reply ({error})") from None
    return interpret_all(file, function, message, count, MAX_BYTES, OUTPUT_CHARS, past_failures)
