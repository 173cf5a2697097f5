"""The untrusted side: what runs inside a worker process, next to one student file.

A worker imports one student module, says whether that worked, then answers call requests
until told to stop. A request lists one or more calls of one function (a test sends all its
cases at once: each exchange with the trusted side costs more than a small call); they are made
in order and the first that fails ends the list, unless the request asks for every call.
Everything here runs with the student's code in the same process, so nothing here is trusted by
the grader: the grader validates every answer it gets back.

Standard library and numpy only; this module is loaded by the fork server, never by the
process that runs the tests.
"""
import importlib.util
import inspect
import io
import os
import pickle
import sys
import traceback

import numpy as np

from autograder.sandbox import protocol

TEXT_CAP = 4000


class CappedText(io.TextIOBase):
    """A stdout replacement that keeps the first `cap` characters and counts the rest."""

    def __init__(self, cap=TEXT_CAP):
        self.cap, self.parts, self.kept, self.dropped = cap, [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... ({self.dropped} more characters not shown)"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


def student_traceback(exc, submission_dir):
    """The traceback of exc, keeping only frames from the student's own files."""
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if os.path.abspath(f.filename).startswith(submission_dir + os.sep)
    ]
    lines = []
    for frame in frames:
        where = os.path.relpath(frame.filename, submission_dir)
        lines.append(f'  File "{where}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)


def describe_error(exc, submission_dir):
    message = str(exc)
    if isinstance(exc, SyntaxError):
        where = os.path.relpath(exc.filename or "?", submission_dir)
        message = f"{exc.msg} ({where}, line {exc.lineno})"
        if exc.text:
            message += f"\n    {exc.text.rstrip()}"
    return {
        "type": type(exc).__name__,
        "types": [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__],
        "message": message[:TEXT_CAP],
        "traceback": student_traceback(exc, submission_dir)[:TEXT_CAP],
    }


def import_student_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def serve(channel, module_name, module_path, submission_dir, max_result_bytes, output_chars=TEXT_CAP):
    """Import the student's module, then answer calls on `channel` until it closes."""
    capture = CappedText(output_chars)
    sys.stdout = sys.stderr = capture
    try:
        module = import_student_module(module_name, module_path)
    except BaseException as exc:  # a student file may raise anything, SystemExit included
        protocol.send(channel, {"event": "import", "ok": False,
                                "error": describe_error(exc, submission_dir), "stdout": capture.take()})
        return
    protocol.send(channel, {"event": "import", "ok": True, "stdout": capture.take()})
    while True:
        try:
            request = protocol.recv(channel, max_bytes=1 << 30)
        except EOFError:
            return
        if request.get("op") != "calls":
            return
        channel.sendall(framed(answer_all(module, request, capture, submission_dir, max_result_bytes),
                               max_result_bytes))


def answer_all(module, request, capture, submission_dir, max_result_bytes):
    """The replies to a request's calls, made in order; the first that fails ends the list unless
    the request asks for every call (`past_failures`: a test expecting each to raise)."""
    answers = []
    for call in request["calls"]:
        answers.append(answer(module, request["function"], call, capture, submission_dir, max_result_bytes))
        if not answers[-1]["ok"] and not request.get("past_failures"):
            break
    return answers


def answer(module, name, call, capture, submission_dir, max_result_bytes):
    """Make one call ({"args", "kwargs"}) of function `name`; its outcome as a JSON-ready reply."""
    args = [protocol.decode(a) for a in call["args"]]
    kwargs = {k: protocol.decode(v) for k, v in call["kwargs"].items()}
    function = getattr(module, name, None)
    if not callable(function):
        return {"ok": False, "error": {"type": "MissingFunction", "types": ["MissingFunction"],
                                        "message": f"{module.__name__}.py has no function {name}",
                                        "traceback": ""}, "stdout": ""}
    named = parameter_names(function, args, kwargs)
    before = snapshot(named)
    try:
        value = function(*args, **kwargs)
    except BaseException as exc:
        return {"ok": False, "error": describe_error(exc, submission_dir),
                "stdout": capture.take(), "mutated": mutated(before, named)}
    reply = {"ok": True, "stdout": capture.take(), "mutated": mutated(before, named)}
    if array_bytes(value) > max_result_bytes:
        return {**reply, "ok": False, "error": too_large(array_bytes(value))}
    try:
        reply["value"] = protocol.encode(value)
    except protocol.Unencodable as exc:
        return {**reply, "ok": False, "error": {"type": "Unencodable", "types": ["Unencodable"],
                                                "message": str(exc), "traceback": ""}}
    except RecursionError:
        return {**reply, "ok": False, "error": {"type": "Unencodable", "types": ["Unencodable"],
                                                "message": "result is nested too deeply", "traceback": ""}}
    return reply


def framed(answers, max_result_bytes):
    """The replies as one frame of at most max_result_bytes. Replies that do not all fit are cut
    to the first ones that do (the trusted side asks again for the others), and a first reply too
    large on its own becomes a failure of that call: each call is judged as if made alone."""
    frame = protocol.dumps({"replies": answers})
    while len(frame) > max_result_bytes and len(answers) > 1:
        answers = answers[:len(answers) // 2]
        frame = protocol.dumps({"replies": answers})
    if len(frame) > max_result_bytes:
        first = {**answers[0], "ok": False, "value": None, "error": too_large(len(frame))}
        frame = protocol.dumps({"replies": [first]})
    return frame


def too_large(size):
    return {"type": "ResultTooLarge", "types": ["ResultTooLarge"], "message": str(size), "traceback": ""}


def array_bytes(value, depth=0):
    """Bytes held in arrays inside value: a cheap size check before encoding anything."""
    if depth > protocol.MAX_DEPTH:
        return 0
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(array_bytes(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return sum(array_bytes(v, depth + 1) for v in value.values())
    return 0


SIGNATURES = {}  # function -> its inspect.Signature, or None when it has none


def parameter_names(function, args, kwargs):
    """(name, value) for every argument, named as the student's signature names it."""
    if function not in SIGNATURES:
        try:
            SIGNATURES[function] = inspect.signature(function)
        except (TypeError, ValueError):
            SIGNATURES[function] = None
    try:
        return list(SIGNATURES[function].bind(*args, **kwargs).arguments.items())
    except (AttributeError, TypeError):
        return [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())


def snapshot(named):
    """Copies of every argument, to tell afterwards which ones the call changed."""
    return [copy_of(value) for _, value in named]


def mutated(before, named):
    return [name for (name, value), copy in zip(named, before) if copy_of(value) != copy]


def copy_of(value):
    """A comparable copy of one argument. A list, tuple or dict is copied as the bytes pickle
    writes for it without a memo, so equal data gives equal bytes however its objects are shared,
    and a model of thousands of nested floats is copied in C rather than value by value; anything
    else, or a container pickle refuses (a cycle), is frozen. The bytes are only compared, here in
    the worker: they are never sent anywhere and nothing is ever unpickled."""
    if type(value) in (list, tuple, dict):
        stream = io.BytesIO()
        pickler = pickle.Pickler(stream, protocol=5)
        pickler.fast = True  # no memo: shared and unshared equal objects pickle alike
        try:
            pickler.dump(value)
            return stream.getvalue()
        except BaseException:  # whatever a call put in it may refuse, student code included
            pass
    return frozen(value)


def frozen(value, depth=0):
    """A comparable copy of an argument: arguments arrive as plain data (protocol.decode), and
    what a call may put into them instead is told apart by its identity."""
    if depth > protocol.MAX_DEPTH:
        return "deep"
    kind = type(value)
    if kind is np.ndarray:
        return "nd", value.dtype.str, value.shape, value.tobytes()
    if kind in (list, tuple):
        return kind.__name__, tuple(frozen(v, depth + 1) for v in value)
    if kind is dict:
        return "dict", tuple((k, frozen(v, depth + 1)) for k, v in value.items())
    if kind is float:
        return "float", value.hex()
    if value is None or kind in (bool, int, str):
        return kind.__name__, value
    return "object", id(value)
