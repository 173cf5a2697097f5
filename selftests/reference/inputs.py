"""Shared checks on how the reference treats its arguments."""
import copy

import numpy as np


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)


def call_without_mutation(func, *args):
    """Call func(*args); assert that no argument changed and that the result shares
    no memory with the arguments (so changing it later cannot change them); return it."""
    before = copy.deepcopy(args)
    result = func(*args)
    for position, (old, new) in enumerate(zip(before, args)):
        assert _same(old, new), f"{func.__name__} modified argument {position}"
    for out in _arrays(result):
        for arg in _arrays(args):
            assert not np.shares_memory(out, arg), f"{func.__name__} returned a view of an argument"
    return result


def assert_float64_array(value, shape):
    """value is a float64 numpy array of exactly this shape."""
    assert isinstance(value, np.ndarray), f"expected an ndarray, got {type(value).__name__}"
    assert value.dtype == np.float64, f"expected float64, got {value.dtype}"
    assert value.shape == shape, f"expected shape {shape}, got {value.shape}"
