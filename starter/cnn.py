"""Convolutional networks: shapes and parameter counts, circular convolution, pooling.

Never modify the arguments you are given.
"""

import re
import numpy as np


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
    raise NotImplementedError


def conv2d_circular(x, w, b):
    """Cross-correlation with circular (wrap-around) padding, stride 1.

    x: (H, W, C).  w: (k, k, C, F) with k odd.  b: (F,).
    Returns out of shape (H, W, F) with
        out[i, j, f] = b[f] + sum over a, c, e of
                       x[(i + a - k//2) mod H, (j + c - k//2) mod W, e] * w[a, c, e, f].
    """
    raise NotImplementedError


def global_avg_pool(x):
    """Global average pooling: the mean over the two spatial axes.

    x: (H, W, C). Returns (C,).
    """
    raise NotImplementedError
