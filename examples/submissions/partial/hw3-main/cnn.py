"""Layer shapes/parameter counts, circular convolution, global average pooling (vectorised)."""
import re

import numpy as np


def _next(layer, shape):
    m = re.fullmatch(r"CONV(\d+)-(\d+)", layer)
    if m:
        k, F = int(m.group(1)), int(m.group(2))
        if len(shape) != 3 or k < 1:
            raise ValueError(f"{layer} cannot take input of shape {shape}")
        H, W, C = shape
        out = (H + 2 - k + 1, W + 2 - k + 1, F)
        return (k * k * C + 1) * F, out
    m = re.fullmatch(r"POOL(\d+)", layer)
    if m:
        p = int(m.group(1))
        if len(shape) != 3 or p < 1:
            raise ValueError(f"{layer} cannot take input of shape {shape}")
        H, W, C = shape
        return 0, (H // p, W // p, C)
    if layer == "RELU":
        return 0, shape
    if layer == "GAP":
        if len(shape) != 3:
            raise ValueError(f"{layer} cannot take input of shape {shape}")
        return 0, (shape[2],)
    if layer == "FLATTEN":
        return 0, (int(np.prod(shape)),)
    m = re.fullmatch(r"FC-(\d+)", layer)
    if m:
        K = int(m.group(1))
        if len(shape) != 1:
            raise ValueError(f"{layer} needs a 1-D input, got {shape}")
        return (shape[0] + 1) * K, (K,)
    raise ValueError(f"unknown layer {layer!r}")


def layer_table(layers, input_shape):
    shape = tuple(int(s) for s in input_shape)
    rows = [("Input", 0, shape)]
    for layer in layers:
        n_params, shape = _next(layer, shape)
        shape = tuple(int(s) for s in shape)
        if min(shape) < 1:
            raise ValueError(f"{layer} makes the size {shape} smaller than 1")
        rows.append((layer, int(n_params), shape))
    return rows


def conv2d_circular(x, w, b):
    k = w.shape[0]
    r = k // 2
    out = np.zeros(x.shape[:2] + (w.shape[3],)) + b
    for a in range(k):
        for c in range(k):
            shifted = np.roll(x, shift=(r - a, r - c), axis=(0, 1))   # shifted[i,j] = x[i+a-r, j+c-r]
            out += np.einsum("ije,ef->ijf", shifted, w[a, c])
    return out


def global_avg_pool(x):
    return x.mean(axis=(0, 1))
