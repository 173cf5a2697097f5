"""The reference cnn.py: the worked layer table, the convolution formula and its symmetries."""
import numpy as np
import pytest

from .inputs import assert_float64_array, call_without_mutation
from reference import cnn

rng = np.random.default_rng(20240905)

LENET = ["CONV3-10", "POOL2", "CONV3-10", "POOL2", "FLATTEN", "FC-3"]


def test_layer_table_reproduces_the_worked_example():
    rows = call_without_mutation(cnn.layer_table, LENET, (28, 28, 1))
    assert rows == [
        ("Input", 0, (28, 28, 1)),
        ("CONV3-10", 100, (28, 28, 10)),
        ("POOL2", 0, (14, 14, 10)),
        ("CONV3-10", 910, (14, 14, 10)),
        ("POOL2", 0, (7, 7, 10)),
        ("FLATTEN", 0, (490,)),
        ("FC-3", 1473, (3,)),
    ]


def test_layer_table_shapes_are_tuples_of_python_ints():
    for name, n_params, shape in cnn.layer_table(LENET, (28, 28, 1)):
        assert type(name) is str and type(n_params) is int and type(shape) is tuple
        assert all(type(s) is int for s in shape)


def test_layer_table_handles_relu_gap_odd_pooling_and_larger_kernels():
    rows = cnn.layer_table(["CONV5-4", "RELU", "POOL3", "GAP", "FC-2"], (11, 9, 3))
    assert rows[1:] == [
        ("CONV5-4", (5 * 5 * 3 + 1) * 4, (9, 7, 4)),  # padding 1: 11 + 2 - 5 + 1
        ("RELU", 0, (9, 7, 4)),
        ("POOL3", 0, (3, 2, 4)),  # floor division
        ("GAP", 0, (4,)),
        ("FC-2", (4 + 1) * 2, (2,)),
    ]


def test_layer_table_with_no_layers_is_just_the_input_row():
    assert cnn.layer_table([], (4, 4, 2)) == [("Input", 0, (4, 4, 2))]


@pytest.mark.parametrize(
    "layers, bad",
    [
        (["CONV3-4", "SOFTMAX"], "SOFTMAX"),  # unknown
        (["conv3-4"], "conv3-4"),  # unknown: names are upper case
        (["CONV3-4", "FC-2"], "FC-2"),  # FC needs a 1-D input
        (["FLATTEN", "POOL2"], "POOL2"),  # POOL needs (H, W, C)
        (["GAP", "CONV3-2"], "CONV3-2"),  # CONV needs (H, W, C)
        (["GAP", "GAP"], "GAP"),  # GAP needs (H, W, C)
        (["POOL2", "POOL2", "POOL2"], "POOL2"),  # 5 -> 2 -> 1 -> 0
        (["CONV9-1"], "CONV9-1"),  # 5 + 2 - 9 + 1 < 1
        (["CONV0-3"], "CONV0-3"),  # a kernel of size 0
        (["FLATTEN", "FC-0"], "FC-0"),  # no outputs
    ],
)
def test_layer_table_rejects_impossible_layers_naming_the_layer(layers, bad):
    with pytest.raises(ValueError, match=bad):
        cnn.layer_table(layers, (5, 5, 2))


def test_layer_table_rejects_a_layer_that_is_not_a_string():
    with pytest.raises(ValueError, match="42"):
        cnn.layer_table(["RELU", 42], (5, 5, 2))


def _conv_by_the_formula(x, w, b):
    H, W, C = x.shape
    k, F = w.shape[0], w.shape[3]
    r = k // 2
    out = np.zeros((H, W, F))
    for i in range(H):
        for j in range(W):
            for f in range(F):
                out[i, j, f] = b[f] + sum(
                    x[(i + a - r) % H, (j + c - r) % W, e] * w[a, c, e, f]
                    for a in range(k)
                    for c in range(k)
                    for e in range(C)
                )
    return out


@pytest.mark.parametrize("k", [1, 3, 5])
def test_conv2d_circular_matches_the_formula(k):
    x, w, b = rng.normal(size=(5, 4, 2)), rng.normal(size=(k, k, 2, 3)), rng.normal(size=3)
    out = call_without_mutation(cnn.conv2d_circular, x, w, b)
    assert_float64_array(out, (5, 4, 3))
    np.testing.assert_allclose(out, _conv_by_the_formula(x, w, b), rtol=1e-12)


def test_conv2d_circular_is_a_cross_correlation_not_a_convolution():
    x = np.zeros((5, 5, 1))
    x[2, 2, 0] = 1.0
    w = np.arange(9.0).reshape(3, 3, 1, 1)
    out = cnn.conv2d_circular(x, w, np.zeros(1))
    # out[i, j] = w[2 - i + 1, 2 - j + 1] around the impulse: the kernel appears flipped.
    np.testing.assert_array_equal(out[1:4, 1:4, 0], w[::-1, ::-1, 0, 0])


@pytest.mark.parametrize("shift", [(1, 0), (0, 2), (3, -1)])
def test_circular_shifts_commute_with_conv2d_circular(shift):
    x, w, b = rng.normal(size=(6, 5, 2)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=4)
    shifted_first = cnn.conv2d_circular(np.roll(x, shift, axis=(0, 1)), w, b)
    shifted_after = np.roll(cnn.conv2d_circular(x, w, b), shift, axis=(0, 1))
    np.testing.assert_allclose(shifted_first, shifted_after, rtol=1e-12)


@pytest.mark.parametrize("shift", [(1, 0), (2, 3)])
def test_global_avg_pool_of_conv2d_circular_ignores_circular_shifts(shift):
    x, w, b = rng.normal(size=(6, 5, 2)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=4)
    pooled = cnn.global_avg_pool(cnn.conv2d_circular(x, w, b))
    pooled_shifted = cnn.global_avg_pool(cnn.conv2d_circular(np.roll(x, shift, axis=(0, 1)), w, b))
    np.testing.assert_allclose(pooled_shifted, pooled, rtol=1e-12)


def test_global_avg_pool_averages_over_height_and_width():
    x = rng.normal(size=(3, 4, 2))
    out = call_without_mutation(cnn.global_avg_pool, x)
    assert_float64_array(out, (2,))
    np.testing.assert_allclose(out, [x[:, :, c].sum() / 12 for c in range(2)], rtol=1e-14)
