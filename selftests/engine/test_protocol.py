"""The wire format: plain data survives a round trip unchanged; anything else is refused on both sides."""
import base64
import collections
import enum
import json
import math
import socket
import threading
import types

import numpy as np
import pytest

from autograder.sandbox import protocol


def roundtrip(value):
    """encode -> length-prefixed JSON frame -> loads -> decode, as the grader and a worker do it."""
    frame = protocol.dumps({"v": protocol.encode(value)})
    (length,) = protocol.HEADER.unpack(frame[:protocol.HEADER.size])
    body = frame[protocol.HEADER.size:]
    assert length == len(body)
    return protocol.decode(protocol.loads(body)["v"])


def array_node(dtype="<f8", shape=(2,), data=None, **extra):
    if data is None:
        count = int(np.prod(shape)) if shape else 1
        data = base64.b64encode(b"\0" * (count * np.dtype(dtype).itemsize)).decode("ascii")
    return {"t": "nd", "dtype": dtype, "shape": list(shape), "data": data, **extra}


def nested_list(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def assert_same_array(got, expected):
    assert isinstance(got, np.ndarray)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype.newbyteorder("=")
    np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------- plain Python values

@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2**63 + 5, 2**64 - 1, -(2**63), "", "héllo ∑ 😀",
                                   "a\0b"])
def test_scalars_round_trip_with_their_exact_type(value):
    got = roundtrip(value)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, 1e-310, 1.7976931348623157e308, 0.1 + 0.2])
def test_floats_round_trip_bit_for_bit(value):
    got = roundtrip(value)
    assert type(got) is float and got.hex() == value.hex()


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinities_round_trip(value):
    assert roundtrip(value) == value


def test_nan_round_trips_as_nan():
    got = roundtrip(math.nan)
    assert type(got) is float and math.isnan(got)


def test_a_list_stays_a_list_and_a_tuple_stays_a_tuple():
    got = roundtrip([1, (2, 3), [4, (5,)], ()])
    assert got == [1, (2, 3), [4, (5,)], ()]
    assert type(got[1]) is tuple and type(got[2]) is list and type(got[2][1]) is tuple and got[3] == ()


def test_a_dict_round_trips_with_its_keys_in_order():
    value = {"z": 1, "a": [2.5, None], "": {"t": "nd"}, "m": (True,)}
    got = roundtrip(value)
    assert got == value and list(got) == ["z", "a", "", "m"]


def test_a_dict_that_looks_like_a_tag_is_still_just_a_dict():
    value = {"t": "tuple", "v": [1, 2]}
    assert roundtrip(value) == value


def test_a_structure_nested_exactly_max_depth_deep_round_trips():
    value = nested_list(protocol.MAX_DEPTH)
    assert roundtrip(value) == value


# ---------------------------------------------------------------- numpy arrays

@pytest.mark.parametrize("array", [
    np.array([True, False, True]),
    np.array([-128, 0, 127], dtype=np.int8),
    np.array([[-(2**63), 2**63 - 1]], dtype=np.int64),
    np.array([0, 255], dtype=np.uint8),
    np.array([0, 2**64 - 1], dtype=np.uint64),
    np.array([1.5, -2.25], dtype=np.float16),
    np.array([[1.5, -2.0], [3.25, 1e30]], dtype=np.float32),
    np.random.default_rng(0).normal(size=(3, 4, 5)),
    np.array(["a", "héllo", "😀", ""]),
], ids=["bool", "int8", "int64", "uint8", "uint64", "float16", "float32", "float64-3d", "str"])
def test_arrays_of_every_allowed_dtype_round_trip(array):
    assert_same_array(roundtrip(array), array)


def test_float_arrays_keep_nan_and_infinities():
    array = np.array([np.nan, np.inf, -np.inf, -0.0])
    got = roundtrip(array)
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == -np.inf and np.signbit(got[3])


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0, 2)])
def test_empty_arrays_keep_their_shape(shape):
    assert_same_array(roundtrip(np.zeros(shape)), np.zeros(shape))


def test_a_0d_array_keeps_its_empty_shape():
    got = roundtrip(np.array(2.5))
    assert got.shape == () and got == 2.5


@pytest.mark.parametrize("dtype", [">f8", ">i4", ">u2", ">U3"])
def test_big_endian_arrays_arrive_with_their_values_in_native_byte_order(dtype):
    array = np.array([1, 2, 300], dtype=dtype) if "U" not in dtype else np.array(["ab", "c", "xyz"], dtype=dtype)
    got = roundtrip(array)
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_a_non_contiguous_view_sends_only_the_values_it_shows():
    base = np.arange(60.0).reshape(6, 10)
    view = base[::2, ::-3]
    assert not view.flags.c_contiguous
    assert_same_array(roundtrip(view), np.ascontiguousarray(view))


def test_a_fortran_ordered_array_keeps_its_logical_layout():
    array = np.asfortranarray(np.arange(12).reshape(3, 4))
    assert_same_array(roundtrip(array), np.arange(12).reshape(3, 4))


def test_arrays_inside_containers_round_trip():
    value = {"dx": np.ones((2, 2)), "parts": (np.arange(3), [np.array([True])])}
    got = roundtrip(value)
    np.testing.assert_array_equal(got["dx"], np.ones((2, 2)))
    np.testing.assert_array_equal(got["parts"][0], np.arange(3))
    assert type(got["parts"]) is tuple and got["parts"][1][0].dtype == bool


def test_numpy_float64_and_str_scalars_arrive_as_plain_python_values():
    # np.float64 subclasses float and np.str_ subclasses str, so they take the plain-value path.
    got = roundtrip([np.float64(2.5), np.str_("abc")])
    assert got == [2.5, "abc"] and type(got[0]) is float and type(got[1]) is str


@pytest.mark.parametrize("scalar", [np.int64(3), np.uint8(200), np.float32(1.5), np.bool_(True)],
                         ids=["int64", "uint8", "float32", "bool"])
def test_a_numpy_scalar_arrives_as_a_0d_array_of_its_dtype(scalar):
    got = roundtrip(scalar)
    assert isinstance(got, np.ndarray) and got.shape == () and got.dtype == scalar.dtype and got == scalar


def test_decoded_arrays_are_writable():
    got = roundtrip(np.arange(4.0))
    assert got.flags.writeable
    got[0] = 99.0
    assert got[0] == 99.0


def test_decoded_arrays_own_their_memory_rather_than_viewing_the_message():
    node = protocol.encode(np.arange(4.0))
    first, second = protocol.decode(node), protocol.decode(node)
    assert first.flags.owndata or first.base is None
    first[:] = -1.0
    np.testing.assert_array_equal(second, np.arange(4.0))


# ---------------------------------------------------------------- subclasses reduce to plain types

class MyInt(int):
    pass


class MyStr(str):
    pass


class MyFloat(float):
    pass


class MyList(list):
    pass


class MyTuple(tuple):
    pass


class MyDict(dict):
    pass


class Colour(enum.IntEnum):
    RED = 3


@pytest.mark.parametrize("value, plain", [
    (MyInt(5), 5), (Colour.RED, 3), (MyStr("abc"), "abc"), (MyFloat(2.5), 2.5),
], ids=["int", "IntEnum", "str", "float"])
def test_subclasses_of_scalars_arrive_as_the_plain_base_type(value, plain):
    got = roundtrip(value)
    assert got == plain and type(got) is type(plain)


def test_bools_are_not_turned_into_ints():
    got = roundtrip([True, False])
    assert [type(v) for v in got] == [bool, bool]


@pytest.mark.parametrize("value, plain_type", [
    (MyList([1, 2]), list), (MyTuple((1, 2)), tuple), (collections.namedtuple("P", "x y")(1, 2), tuple),
], ids=["list", "tuple", "namedtuple"])
def test_subclasses_of_sequences_arrive_as_plain_sequences(value, plain_type):
    got = roundtrip(value)
    assert type(got) is plain_type and list(got) == [1, 2]


@pytest.mark.parametrize("value", [MyDict(a=1), collections.OrderedDict(a=1), collections.defaultdict(int, a=1)],
                         ids=["dict", "OrderedDict", "defaultdict"])
def test_subclasses_of_dict_arrive_as_plain_dicts(value):
    got = roundtrip(value)
    assert type(got) is dict and got == {"a": 1}


def test_a_dict_subclass_key_that_is_a_str_subclass_arrives_as_a_plain_str():
    got = roundtrip({MyStr("k"): 1})
    assert [type(k) for k in got] == [str]


class LyingStr(str):
    def __str__(self):
        return "something else"


class LyingInt(int):
    def __int__(self):
        return 42

    def __index__(self):
        return 42


@pytest.mark.parametrize("value, plain", [(LyingStr("abc"), "abc"), (LyingInt(3), 3)], ids=["str", "int"])
def test_a_subclass_is_sent_as_its_own_value_whatever_its_conversion_methods_say(value, plain):
    assert roundtrip(value) == plain


# ---------------------------------------------------------------- Unencodable

class Opaque:
    pass


def test_a_custom_object_is_unencodable_and_named_by_type():
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode(Opaque())
    assert error.value.path == "result" and "Opaque" in str(error.value)


def test_unencodable_says_where_in_the_structure_the_bad_value_is():
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode({"grads": [1.0, (2.0, Opaque())]})
    assert error.value.path == "result['grads'][1][1]"


@pytest.mark.parametrize("value", [{1, 2}, 1 + 2j, b"bytes", print, range(3)],
                         ids=["set", "complex", "bytes", "function", "range"])
def test_values_that_are_not_plain_data_are_unencodable(value):
    with pytest.raises(protocol.Unencodable):
        protocol.encode(value)


def test_an_object_array_is_unencodable_with_a_hint_about_ragged_lists():
    ragged = np.array([[1, 2], [3]], dtype=object)
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode(ragged)
    assert "dtype=object" in str(error.value) and "ragged" in str(error.value)


@pytest.mark.parametrize("array", [np.zeros(2, dtype=complex), np.zeros(2, dtype="M8[s]"),
                                   np.zeros(2, dtype=[("a", "<i4")]), np.zeros(2, dtype="V4")],
                         ids=["complex", "datetime", "structured", "void"])
def test_arrays_of_other_dtypes_are_unencodable(array):
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode(array)
    assert "numpy array of dtype" in str(error.value)


@pytest.mark.parametrize("key", [1, 1.5, None, ("a",), True], ids=["int", "float", "None", "tuple", "bool"])
def test_a_dict_with_a_non_str_key_is_unencodable(key):
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode({key: 1})
    assert type(key).__name__ in str(error.value)


def test_nesting_deeper_than_max_depth_is_unencodable():
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode(nested_list(protocol.MAX_DEPTH + 1))
    assert "nested too deeply" in str(error.value)


def test_a_list_that_contains_itself_is_unencodable_rather_than_a_recursion_error():
    loop = []
    loop.append(loop)
    with pytest.raises(protocol.Unencodable):
        protocol.encode(loop)


# ---------------------------------------------------------------- the strict decoder

@pytest.mark.parametrize("node", [
    {"t": "pickle", "v": "gASVAAAA"}, {"t": "set", "v": [1]}, {"a": 1}, {},
    {"t": "tuple", "v": "not a list"}, {"t": "dict", "v": [1, 2]},
], ids=["pickle", "set", "untagged", "empty", "tuple-without-list", "dict-without-dict"])
def test_the_decoder_rejects_unknown_or_malformed_tags(node):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(node)


@pytest.mark.parametrize("dtype", ["|O", "|O8", "|V8", "i4,f8", "[('a', '<i4')]", "(2,)<i4", "<M8[s]", "<m8[s]",
                                   "<c16", "|S3"],
                         ids=["object", "object8", "void", "structured", "structured-list", "subarray",
                              "datetime", "timedelta", "complex", "bytes"])
def test_the_decoder_rejects_dtypes_that_are_not_plain_data(dtype):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(array_node(dtype=dtype, shape=(0,), data=""))


def test_the_decoder_rejects_a_dtype_numpy_does_not_know():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(array_node(dtype="no-such-type", shape=(0,), data=""))


@pytest.mark.parametrize("shape, nbytes", [((3,), 16), ((2, 2), 40), ((), 0), ((0,), 8)])
def test_the_decoder_rejects_data_that_does_not_match_the_shape(shape, nbytes):
    node = array_node(shape=shape, data=base64.b64encode(b"\0" * nbytes).decode("ascii"))
    with pytest.raises(protocol.ProtocolError, match="does not match"):
        protocol.decode(node)


@pytest.mark.parametrize("shape", [[-1], [2, -2], [1.0], ["1"], [True], [None], [[1]]],
                         ids=["negative", "negative-second", "float", "str", "bool", "None", "nested"])
def test_the_decoder_rejects_negative_or_non_int_shapes(shape):
    node = array_node(shape=(1,))
    node["shape"] = shape
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(node)


def test_the_decoder_rejects_more_than_32_axes():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(array_node(shape=(1,) * 33))


@pytest.mark.parametrize("field, value", [("dtype", 8), ("shape", "3"), ("data", None), ("data", [0, 0])])
def test_the_decoder_rejects_array_fields_of_the_wrong_type(field, value):
    node = array_node()
    node[field] = value
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(node)


@pytest.mark.parametrize("node", [
    array_node(shape=(1,), data="!!!!!!!!!!!="),
    array_node(shape=(1,), data="é"),
    array_node(dtype="<U0", shape=(3,), data=""),
    array_node(shape=(0, 2**62, 2**62), data=""),
], ids=["not-base64", "not-ascii", "zero-itemsize", "too-big-to-allocate"])
def test_malformed_array_payloads_are_protocol_errors(node):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(node)


def test_the_decoder_rejects_nesting_deeper_than_max_depth():
    node = 1
    for _ in range(protocol.MAX_DEPTH + 2):
        node = {"t": "tuple", "v": [node]}
    with pytest.raises(protocol.ProtocolError, match="nested too deeply"):
        protocol.decode(node)


@pytest.mark.parametrize("body", [b"[1, 2]", b"3", b'"text"', b"null"])
def test_a_message_must_be_a_json_object(body):
    with pytest.raises(protocol.ProtocolError, match="JSON object"):
        protocol.loads(body)


@pytest.mark.parametrize("body", [b"{", b"", b"{'single': 1}", b"\xff\xfe{}", b"[" * 100000])
def test_a_message_that_is_not_json_is_a_protocol_error(body):
    with pytest.raises(protocol.ProtocolError):
        protocol.loads(body)


# ---------------------------------------------------------------- framing over a socket

@pytest.fixture
def pair():
    a, b = socket.socketpair()
    b.settimeout(5)
    yield a, b
    a.close()
    b.close()


def test_a_frame_sent_is_the_frame_received(pair):
    a, b = pair
    message = {"op": "call", "args": [protocol.encode(np.arange(3.0))]}
    protocol.send(a, message)
    assert protocol.recv(b, max_bytes=1 << 20) == json.loads(json.dumps(message))


def test_a_frame_split_into_many_small_writes_is_reassembled(pair):
    a, b = pair
    frame = protocol.dumps({"value": "x" * 5000})

    def trickle():
        for i in range(0, len(frame), 7):
            a.sendall(frame[i:i + 7])

    writer = threading.Thread(target=trickle, daemon=True)
    writer.start()
    assert protocol.recv(b, max_bytes=1 << 20) == {"value": "x" * 5000}
    writer.join(5)


def test_an_oversized_frame_is_refused_before_its_body_is_read(pair):
    a, b = pair
    a.sendall(protocol.HEADER.pack(10_000) + b"{" * 100)  # the body is never completed
    with pytest.raises(protocol.MessageTooLarge) as error:
        protocol.recv(b, max_bytes=1000)
    assert error.value.length == 10_000
    assert b.recv(100) == b"{" * 100  # nothing after the header was consumed


def test_message_too_large_is_a_protocol_error():
    assert issubclass(protocol.MessageTooLarge, protocol.ProtocolError)


def test_a_frame_of_exactly_max_bytes_is_accepted(pair):
    a, b = pair
    frame = protocol.dumps({"k": "v" * 50})
    a.sendall(frame)
    assert protocol.recv(b, max_bytes=len(frame) - protocol.HEADER.size) == {"k": "v" * 50}


def test_a_peer_closing_mid_frame_is_an_eof_error(pair):
    a, b = pair
    a.sendall(protocol.HEADER.pack(100) + b'{"partial": ')
    a.close()
    with pytest.raises(EOFError):
        protocol.recv(b, max_bytes=1000)


# ---------------------------------------------------------------- bounded: whatever a worker sends

def bomb_frame_body(megabytes=16):
    """The reply of the issue: `megabytes` of nested empty lists, as a worker could write it."""
    count = (megabytes << 20) // 3
    return b'{"ok":true,"value":[' + b"[]," * (count - 1) + b"[]]}"


def test_sixteen_megabytes_of_nested_empty_lists_are_refused_without_being_parsed(monkeypatch):
    parsed = []
    monkeypatch.setattr(protocol.json, "loads", lambda *a, **k: parsed.append(1))
    with pytest.raises(protocol.TooManyValues) as error:
        protocol.loads(bomb_frame_body())
    assert parsed == [] and isinstance(error.value, protocol.ProtocolError)


@pytest.mark.parametrize("body", [
    b'{"v":[' + b'"ab",' * 400_000 + b'"ab"]}',
    b'{"v":[' + b"1.5," * 400_000 + b"1]}",
    b'{"t":"dict","v":{' + b"".join(b'"k%d":0,' % i for i in range(400_000)) + b'"z":0}}',
], ids=["strings", "floats", "dict-keys"])
def test_too_many_scalars_or_keys_are_refused_too(body):
    with pytest.raises(protocol.TooManyValues):
        protocol.loads(body)


def test_commas_brackets_and_quotes_inside_strings_do_not_count_as_values():
    text = '",[{:\\"' * 200_000
    body = json.dumps({"ok": True, "stdout": text, "value": [1, 2]}).encode()
    assert protocol.loads(body)["stdout"] == text


def test_the_value_count_is_an_upper_bound_on_what_json_parses():
    value = {"a": [1, (2.5, "x,y"), {"t": "nd"}], "": [[], {}], "q": 'say "hi", [ok]'}
    body = protocol.dumps({"v": protocol.encode(value)})[protocol.HEADER.size:]
    counted = protocol.json_values(body)

    def parsed(node):
        if isinstance(node, list):
            return 1 + sum(parsed(v) for v in node)
        if isinstance(node, dict):
            return 1 + sum(1 + parsed(v) for v in node.values())
        return 1

    assert parsed(json.loads(body)) <= counted


def test_an_encoder_refuses_a_result_with_too_many_values_and_says_to_return_arrays():
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode([[]] * (protocol.MAX_VALUES + 1))
    assert "more than 50,000" in str(error.value) and "numpy arrays" in str(error.value)


def test_a_result_at_the_encoders_limit_is_a_frame_the_decoder_reads():
    value = [0.5] * (protocol.MAX_VALUES - 1)
    assert roundtrip(value) == value
    arrays = [np.zeros((1,) * 32)] * ((protocol.MAX_VALUES - 1) // protocol.ARRAY_COST)
    assert len(roundtrip(arrays)) == len(arrays)
    keys = {f"{i}": (None,) for i in range(protocol.MAX_VALUES // 3 - 1)}
    assert roundtrip(keys) == keys


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**400])
def test_whole_numbers_beyond_64_bits_are_unencodable_with_their_size(number):
    with pytest.raises(protocol.Unencodable) as error:
        protocol.encode({"shape": (number, 1)})
    assert "64 bits" in str(error.value) and error.value.path == "result['shape'][0]"


def test_the_decoder_refuses_whole_numbers_beyond_64_bits():
    with pytest.raises(protocol.ProtocolError, match="64 bits"):
        protocol.decode([1, 10**400])


@pytest.mark.parametrize("dtype", ["<f8," * 100_000, "(2,)f8", "S8", "<f8 ", "O"], ids=["many-fields", "subarray",
                                                                                         "bytes", "space", "object"])
def test_a_dtype_that_is_not_one_simple_code_is_refused_before_numpy_reads_it(dtype, monkeypatch):
    monkeypatch.setattr(protocol, "np", types.SimpleNamespace(dtype=lambda *a: pytest.fail("numpy read the dtype")))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(array_node(dtype=dtype, shape=(0,), data=""))


@pytest.mark.parametrize("body", [b"[" + b"[]," * 999 + b"[]]", b"[" + b"0," * 999 + b"0]", b'{"":' * 50 + b"0" + b"}" * 50,
                                  b'["",' + b'"",' * 999 + b'""]', b"{" + b",".join(b'"%d":0' % i for i in range(999)) + b"}"])
def test_a_frame_holds_no_more_values_than_bytes_so_short_frames_need_no_count(body):
    assert protocol.json_values(body) <= len(body)
