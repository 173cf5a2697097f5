"""Convolutional networks: shapes and parameter counts, circular convolution, pooling.

Never modify the arguments you are given.
"""
import re

import numpy as np

_CONV = re.compile(r"CONV([0-9]+)-([0-9]+)")
_POOL = re.compile(r"POOL([0-9]+)")
_FC = re.compile(r"FC-([0-9]+)")


def _next_row(layer, shape):
    """(n_params, output shape) of one layer applied to an input of `shape`."""

    def fail(reason):
        return ValueError(f"layer {layer!r} {reason} (input shape {shape})")

    if not isinstance(layer, str):
        raise ValueError(f"unknown layer {layer!r}: layers are strings")
    conv, pool, fc = _CONV.fullmatch(layer), _POOL.fullmatch(layer), _FC.fullmatch(layer)
    if layer == "RELU":
        return 0, shape
    if layer == "FLATTEN":
        return 0, (int(np.prod(shape)),)
    if layer == "GAP" or conv or pool:
        if len(shape) != 3:
            raise fail("needs an (H, W, C) input")
        h, w, c = shape
        if layer == "GAP":
            return 0, (c,)
        if conv:
            k, f = int(conv.group(1)), int(conv.group(2))
            if k < 1 or f < 1:
                raise fail("needs a kernel size and a filter count of at least 1")
            out = (h + 2 - k + 1, w + 2 - k + 1, f)  # stride 1, padding 1
            n_params = (k * k * c + 1) * f
        else:
            p = int(pool.group(1))
            if p < 1:
                raise fail("needs a pool size of at least 1")
            out = (h // p, w // p, c)
            n_params = 0
        if min(out) < 1:
            raise fail(f"would give the empty output shape {out}")
        return n_params, out
    if fc:
        k = int(fc.group(1))
        if k < 1:
            raise fail("needs at least 1 output")
        if len(shape) != 1:
            raise fail("needs a 1-D input")
        return (shape[0] + 1) * k, (k,)
    raise ValueError(f"unknown layer {layer!r}")


def layer_table(layers, input_shape):
    """The output shape and parameter count of every layer of a network.

    input_shape: (H, W, C).  layers: a list of strings among
        "CONVk-F"  F filters of size k x k x C with bias, stride 1, padding 1;
        "POOLp"    p x p max pooling, stride p, no padding (sizes rounded down);
        "RELU";
        "GAP"      global average pooling, (H, W, C) -> (C,);
        "FLATTEN";
        "FC-K"     fully connected, K outputs with bias, needs a 1-D input.

    Returns a list of rows (name, n_params, shape), shape a tuple of ints: first
    ("Input", 0, input_shape), then one row per layer, named by its string.
    Raises ValueError, with the layer's name in the message, for an unknown layer,
    a layer that cannot take its input, or a size that becomes smaller than 1.
    """
    shape = tuple(int(s) for s in input_shape)
    rows = [("Input", 0, shape)]
    for layer in layers:
        n_params, shape = _next_row(layer, shape)
        rows.append((layer, n_params, shape))
    return rows


def conv2d_circular(x, w, b):
    """Cross-correlation with circular (wrap-around) padding, stride 1.

    x: (H, W, C).  w: (k, k, C, F) with k odd.  b: (F,).
    Returns out of shape (H, W, F) with
        out[i, j, f] = b[f] + sum over a, c, e of
                       x[(i + a - k//2) mod H, (j + c - k//2) mod W, e] * w[a, c, e, f].
    """
    H, W = x.shape[:2]
    k, r = w.shape[0], w.shape[0] // 2
    rows = (np.arange(H)[:, None] + np.arange(k)[None, :] - r) % H  # (H, k)
    cols = (np.arange(W)[:, None] + np.arange(k)[None, :] - r) % W  # (W, k)
    # patches[i, j, a, c, :] = x[rows[i, a], cols[j, c], :]
    patches = x[rows[:, None, :, None], cols[None, :, None, :]]  # (H, W, k, k, C)
    return np.tensordot(patches, w, axes=([2, 3, 4], [0, 1, 2])) + b


def global_avg_pool(x):
    """Global average pooling: the mean over the two spatial axes.

    x: (H, W, C). Returns (C,).
    """
    return x.mean(axis=(0, 1))
