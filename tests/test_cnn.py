"""Hidden tests for cnn.py: other networks and the error cases of layer_table, and the reference on
seeded random images for the convolution and the pooling."""
import copy

import numpy as np

from autograder.testkit import check, match_reference_on, must_raise_on, student_file
from reference import cnn as ref
from test_cnn_examples import as_records  # the table checks students also run in the kit

cnn = student_file("cnn.py")


def check_tables(*networks):
    """The student's table for each (layers, input_shape) against the reference's, row by row."""
    tables = cnn.layer_table.each([((layers, input_shape), {}) for layers, input_shape in networks])
    for (layers, input_shape), got in zip(networks, tables):
        expected = ref.layer_table(copy.deepcopy(layers), input_shape)
        labels = ["row 0 (Input)"] + [f"row {i} ({layer})" for i, layer in enumerate(layers, start=1)]
        case = f"{', '.join(layers)} on a {'x'.join(map(str, input_shape))} input"
        check(as_records(got, layers), as_records(expected, layers), names=labels, case=case, result=got)


@cnn.grades("layer_table")
def test_layer_table_matches_the_reference_on_other_networks():
    """layer_table: other networks (5x5 and 1x1 kernels, single filters, 1x1 pools, RELU, GAP, stacked FC layers)"""
    check_tables((["RELU", "GAP", "FLATTEN", "FC-4", "RELU", "FC-2"], (16, 12, 3)),
                 (["CONV5-6", "RELU", "POOL2", "CONV3-16", "RELU", "POOL2", "GAP", "FC-10"], (32, 32, 3)),
                 (["CONV1-4", "POOL3", "CONV3-5", "FLATTEN", "RELU", "FC-7", "FC-2"], (9, 11, 2)),
                 (["CONV7-3", "FLATTEN", "FC-1"], (5, 5, 1)),
                 (["CONV3-1", "POOL2", "CONV5-1", "FLATTEN", "FC-1"], (6, 10, 2)),  # single filters: F = 1
                 (["POOL1", "CONV1-2", "POOL1", "GAP"], (3, 5, 2)))  # a 1x1 pool keeps the size


@cnn.grades("layer_table")
def test_layer_table_rounds_odd_pool_sizes_down():
    """layer_table: POOLp on sizes that p does not divide rounds down"""
    check_tables((["POOL2"], (7, 9, 2)), (["POOL4", "POOL2"], (15, 10, 3)), (["POOL3", "FLATTEN", "FC-2"], (10, 8, 1)))


@cnn.grades("layer_table")
def test_layer_table_raises_for_an_unknown_layer():
    """layer_table: ValueError naming the layer, for a name that is not CONVk-F, POOLp, RELU, GAP, FLATTEN, FC-K"""
    networks = (["CONV3-4", "DROPOUT"], ["CONV3"], ["FC10"], ["POOL"], ["relu"], ["RELU", "SOFTMAX"])
    must_raise_on(cnn.layer_table, ValueError,
                  [(f"for the unknown layer {layers[-1]!r} (network {', '.join(layers)})", (layers, (8, 8, 3)),
                    layers[-1]) for layers in networks])


def where(layers):
    """Where the last layer of `layers` comes, in words."""
    return f"after {', '.join(layers[:-1])}" if len(layers) > 1 else "directly"


@cnn.grades("layer_table")
def test_layer_table_raises_for_a_layer_that_cannot_take_its_input():
    """layer_table: ValueError for FC on an (H, W, C) input, and CONV, POOL or GAP on a 1-D input"""
    networks = (["FC-3"], ["CONV3-4", "FC-10"], ["FLATTEN", "CONV3-4"], ["GAP", "POOL2"], ["FLATTEN", "FC-5", "GAP"])
    must_raise_on(cnn.layer_table, ValueError,
                  [(f"for {layers[-1]} {where(layers)} on an 8x8x3 input", (layers, (8, 8, 3)), layers[-1])
                   for layers in networks])



@cnn.grades("layer_table")
def test_layer_table_raises_when_a_size_becomes_smaller_than_one():
    """layer_table: ValueError when a layer would make a spatial size 0, in height, in width or in both"""
    networks = ((["POOL4"], (3, 3, 1)), (["CONV5-2"], (2, 2, 3)), (["POOL2", "POOL2", "POOL2"], (6, 6, 2)),
                (["CONV3-4", "POOL2", "CONV9-4"], (12, 12, 1)),
                (["POOL4"], (8, 3, 1)), (["POOL4"], (3, 8, 1)),  # only the width, only the height
                (["CONV5-2"], (6, 2, 3)), (["CONV5-2"], (2, 6, 3)))
    must_raise_on(cnn.layer_table, ValueError,
                  [(f"when {', '.join(layers)} shrinks a {'x'.join(map(str, shape))} input to a size below 1",
                    (layers, shape), layers[-1]) for layers, shape in networks])


@cnn.grades("layer_table")
def test_layer_table_raises_for_a_kernel_filter_count_or_pool_size_of_zero():
    """layer_table: ValueError naming the layer for CONV0-F, CONVk-0, POOL0 and FC-0 (a size of 0 is not a layer)"""
    networks = (["CONV0-4"], ["CONV3-0"], ["CONV3-4", "POOL0"], ["FLATTEN", "FC-0"])
    must_raise_on(cnn.layer_table, ValueError,
                  [(f"for {layers[-1]} on an 8x8x3 input", (layers, (8, 8, 3)), layers[-1]) for layers in networks])


# (H, W, C, k, F) of the random convolutions: odd and non-square sizes, 1x1 and 5x5 kernels.
CONV_CASES = [(5, 6, 3, 3, 4), (4, 4, 1, 1, 2), (7, 5, 2, 5, 3), (3, 3, 2, 3, 1), (4, 6, 2, 5, 2)]


@cnn.grades("conv2d_circular")
def test_conv2d_circular_matches_the_reference_on_random_images():
    """conv2d_circular: random images, kernels and biases, with wrap-around at every edge"""
    rng = np.random.default_rng(501)
    cases = [(f"a {h}x{w}x{c} image, {f} filter(s) of {k}x{k}x{c}",
              (rng.normal(size=(h, w, c)), rng.normal(size=(k, k, c, f)), rng.normal(size=f)))
             for h, w, c, k, f in CONV_CASES]
    match_reference_on(cnn.conv2d_circular, ref.conv2d_circular, cases, name="out")


@cnn.grades("global_avg_pool")
def test_global_avg_pool_matches_the_reference_on_random_images():
    """global_avg_pool: random images, including a 1x1 one and non-square ones"""
    rng = np.random.default_rng(502)
    match_reference_on(cnn.global_avg_pool, ref.global_avg_pool,
                       [(f"a {'x'.join(map(str, shape))} image", (rng.normal(size=shape),))
                        for shape in [(4, 5, 3), (1, 1, 2), (7, 3, 1), (2, 9, 4)]], name="pooled")
