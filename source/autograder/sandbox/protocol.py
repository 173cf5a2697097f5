"""The wire format between the trusted grader and untrusted workers.

Every message is a length-prefixed JSON document. Values are *plain data* only: None, bool, int,
float, str, list, tuple, dict with str keys, and numpy arrays of a numeric, bool or str dtype.
Nothing is ever pickled. The decoder is strict because the worker side is hostile: any tag,
dtype, shape or size it does not expect is a ProtocolError, never an object with behaviour.

Reading a frame costs memory and time proportional to its bytes, with a small constant: a frame
is counted before it is parsed, and one that could hold more than MAX_FRAME_VALUES JSON values
is refused unparsed (16 MB of `[[],[],...]` would otherwise become 5 million lists, ~0.9 GB, in
the trusted process). The encoder refuses a value with more than MAX_VALUES values, or an
integer that does not fit in 64 bits, so that a student learns why, and anything it accepts is
a frame the decoder reads.

This module is imported by both sides and needs only the standard library and numpy.
"""
import base64
import json
import re
import socket
import struct
import time

import numpy as np

HEADER = struct.Struct(">I")
MAX_DEPTH = 64
ALLOWED_KINDS = "biufU"
MAX_VALUES = 50_000          # numbers, strings, lists, tuples and dict keys in one value; an array counts 8
ARRAY_COST = 8
MAX_FRAME_VALUES = 6 * MAX_VALUES + 1024  # JSON values a frame may hold: any encoded value fits
INT_RANGE = (-(2**63), 2**64)  # whole numbers that int64 or uint64 can hold
DTYPE = re.compile(r"[<>|=]?[biuf][0-9]{1,2}|[<>|=]?U[0-9]{1,8}")


class ProtocolError(Exception):
    """A message that is not well-formed plain data."""


class Unencodable(Exception):
    """A value (returned by student code) that is not plain data; `path` says where it is."""

    def __init__(self, path, what):
        super().__init__(f"{path} is {what}")
        self.path = path
        self.what = what


# ---------------------------------------------------------------- encoding


def encode(value, path="result", depth=0):
    """Turn plain data into JSON-ready tagged data; raise Unencodable for anything else."""
    try:
        return _Encoder(path).encode(value, depth)
    except _Refused as refused:
        raise Unencodable(path + "".join(reversed(refused.where)), refused.what) from None


class _Refused(Exception):
    """Unencodable before its path is known: each container on the way out adds its index, so
    encoding pays for a path only when it fails."""

    def __init__(self, what):
        super().__init__(what)
        self.what, self.where = what, []


class _Encoder:
    """One encoding: counts values as it goes, so an enormous structure is refused early."""

    def __init__(self, root):
        self.root, self.left = root, MAX_VALUES

    def spend(self, cost):
        self.left -= cost
        if self.left < 0:
            raise Unencodable(self.root, f"a value with more than {MAX_VALUES:,} numbers, strings, lists or dict "
                                         "keys in all; return numpy arrays for large results")

    def encode(self, value, depth):
        if depth > MAX_DEPTH:
            raise _Refused("nested too deeply")
        is_array = isinstance(value, (np.ndarray, np.generic)) and not isinstance(value, (float, str))
        self.spend(ARRAY_COST if is_array else 1)
        if value is None or isinstance(value, (bool, str, int)):
            return _exact(value)
        if isinstance(value, float):
            return float(value)
        if is_array:
            return _encode_array(np.asarray(value))
        if isinstance(value, (list, tuple)):
            items = [self._inside(i, v, depth) for i, v in enumerate(value)]
            return items if isinstance(value, list) else {"t": "tuple", "v": items}
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _Refused(f"a dict with a key of type {type(key).__name__} ({key!r:.40})")
                self.spend(1)
                out[str.__str__(key)] = self._inside(key, item, depth)
            return {"t": "dict", "v": out}
        raise _Refused(f"an object of type {type(value).__name__}")

    def _inside(self, where, value, depth):
        """encode() one item of a container; its index or key `where` names it on failure."""
        if type(value) in PLAIN_LEAVES and depth < MAX_DEPTH:  # what encode() returns as it is, sooner
            self.spend(1)
            return value
        try:
            return self.encode(value, depth + 1)
        except _Refused as refused:
            refused.where.append(f"[{where!r:.40}]")
            raise


PLAIN_LEAVES = frozenset({float, str, bool, type(None)})  # exactly these types, not their subclasses


def _exact(value):
    """bool, int and str, with subclasses (which could carry behaviour) reduced to the base type."""
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, int):
        number = int.__int__(value)
        if not INT_RANGE[0] <= number < INT_RANGE[1]:
            raise _Refused(f"a whole number of about {digit_count(number)} digits, more than the grader reads "
                           "(whole numbers must fit in 64 bits)")
        return number
    if isinstance(value, str):
        return str.__str__(value)
    raise _Refused(f"an object of type {type(value).__name__}")


def digit_count(number):
    """Roughly how many decimal digits a whole number of any size has (str() refuses huge ones)."""
    return abs(number).bit_length() * 30103 // 100000 + 1  # log10(2) = 0.30103


def _encode_array(array):
    if array.dtype.kind not in ALLOWED_KINDS:
        if array.dtype.kind == "O":
            raise _Refused("a numpy array of Python objects (dtype=object), often a ragged list")
        raise _Refused(f"a numpy array of dtype {array.dtype}")
    array = array.astype(array.dtype.newbyteorder("<"), copy=False)  # tobytes() is C order
    return {
        "t": "nd",
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def calls_request(function, calls, past_failures=False):
    """The request for calls of `function`, one per (args, kwargs) in `calls`: made in order until
    the first that fails, or, with `past_failures`, every one of them."""
    return {"op": "calls", "function": function, "past_failures": past_failures,
            "calls": [{"args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in kwargs.items()}}
                      for args, kwargs in calls]}


# ---------------------------------------------------------------- decoding


def decode(node, depth=0):
    """Inverse of encode for data from an untrusted peer: builds only plain data, or raises."""
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if node is None or type(node) in (bool, float, str):
        return node
    if type(node) is int:
        if not INT_RANGE[0] <= node < INT_RANGE[1]:
            raise ProtocolError("a whole number that does not fit in 64 bits")
        return node
    if type(node) is list:
        return [decode(v, depth + 1) for v in node]
    if type(node) is not dict:
        raise ProtocolError(f"unexpected JSON value of type {type(node).__name__}")
    tag = node.get("t")
    if tag == "tuple" and type(node.get("v")) is list:
        return tuple(decode(v, depth + 1) for v in node["v"])
    if tag == "dict" and type(node.get("v")) is dict:
        return {k: decode(v, depth + 1) for k, v in node["v"].items()}
    if tag == "nd":
        return _decode_array(node)
    raise ProtocolError(f"unknown tagged value {tag!r:.40}")


def _decode_array(node):
    dtype_str, shape, data = node.get("dtype"), node.get("shape"), node.get("data")
    if type(dtype_str) is not str or type(shape) is not list or type(data) is not str:
        raise ProtocolError("malformed array")
    dtype = PLAIN_DTYPES.get(dtype_str) or _plain_dtype(dtype_str)
    if len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise ProtocolError("malformed array shape")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:  # binascii.Error is a ValueError
        raise ProtocolError(f"array data is not base64: {exc}") from None
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize != len(raw):
        raise ProtocolError("array data does not match its shape")
    try:
        return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    except (ValueError, TypeError, MemoryError) as exc:
        raise ProtocolError(f"malformed array: {exc}") from None


PLAIN_DTYPES = {}  # dtype text -> np.dtype, for the few texts a grading sees, each checked once


def _plain_dtype(dtype_str):
    """The dtype a text names, if it is plain data (a number, bool or str type); else ProtocolError."""
    if not DTYPE.fullmatch(dtype_str):
        raise ProtocolError(f"dtype {dtype_str!r:.40} is not plain data")
    try:
        dtype = np.dtype(dtype_str)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"unknown dtype {dtype_str!r:.40}") from exc
    if dtype.kind not in ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None \
            or dtype.itemsize == 0:
        raise ProtocolError(f"dtype {dtype_str!r:.40} is not plain data")
    if len(PLAIN_DTYPES) < 256:
        PLAIN_DTYPES[dtype_str] = dtype
    return dtype


# ---------------------------------------------------------------- framing


def dumps(message):
    """A message (dict of JSON-ready data) as one length-prefixed frame."""
    body = json.dumps(message, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return HEADER.pack(len(body)) + body


def send(sock, message):
    sock.sendall(dumps(message))


def read_exactly(sock, n, deadline=None):
    """n bytes; with a deadline (time.monotonic()), socket.timeout once it passes, however the
    peer trickles its bytes."""
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            sock.settimeout(left)
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock, max_bytes, deadline=None):
    """Read one frame; a frame larger than max_bytes is refused before it is read."""
    (length,) = HEADER.unpack(read_exactly(sock, HEADER.size, deadline))
    if length > max_bytes:
        raise MessageTooLarge(length)
    return loads(read_exactly(sock, length, deadline))


def loads(body):
    """A frame's body as a dict, after making sure parsing it cannot take much more than its bytes
    (a frame shorter than MAX_FRAME_VALUES bytes cannot hold more values than that)."""
    if len(body) >= MAX_FRAME_VALUES and json_values(body) > MAX_FRAME_VALUES:
        raise TooManyValues(MAX_FRAME_VALUES)
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
        raise ProtocolError(f"not a JSON message: {str(exc):.200}") from None
    if type(message) is not dict:
        raise ProtocolError("a message must be a JSON object")
    return message


def json_values(body):
    """An upper bound on the values (and keys) in a JSON text, in a few passes of C code.

    Strings are counted exactly (escaped backslashes and quotes are taken out first, so every
    quote left delimits a string); outside strings, every value but the first follows a comma
    or an opening bracket, and every key comes before a colon.
    """
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    strings = plain.count(b'"') // 2
    if strings > MAX_FRAME_VALUES:
        return strings
    outside = b"".join(plain.split(b'"')[0::2])
    return 1 + sum(outside.count(mark) for mark in (b",", b"[", b"{", b":"))


class TooManyValues(ProtocolError):
    def __init__(self, limit):
        super().__init__(f"a value with more than {limit:,} numbers, strings, lists or dict keys")


class MessageTooLarge(ProtocolError):
    def __init__(self, length):
        super().__init__(f"message of {length} bytes")
        self.length = length
