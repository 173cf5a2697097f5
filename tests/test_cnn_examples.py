"""Visible tests for cnn.py: the worked layer table and small hand-checkable cases, expected values written out.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, fail, student_file

cnn = student_file("cnn.py")


def as_records(rows, layers):
    """The table as one {"name", "n_params", "shape"} record per row, labelled by its layer, so that
    a wrong entry is reported as `row 3 (CONV3-10)["n_params"]`; shapes are compared as text."""
    if not isinstance(rows, (list, tuple)):
        fail(f"layer_table should return a list of rows, but it returned {type(rows).__name__} {rows!r:.60}.")
    if len(rows) != len(layers) + 1:
        fail(f"The table has {len(rows)} rows but should have {len(layers) + 1}: first (\"Input\", 0, input_shape), "
             "then one row per layer.")
    records = []
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != 3:
            fail(f"Row {i} of the table should be a (name, n_params, shape) triple, but it is "
                 f"{type(row).__name__} {row!r:.60}.")
        name, n_params, shape = row
        records.append({"name": name, "n_params": n_params, "shape": shape_text(shape)})
    return tuple(records)


def shape_text(shape):
    """(28, 28, 1) -> "(28, 28, 1)", whatever sequence of whole numbers it came as."""
    try:
        sizes = [float(s) for s in shape]
    except (TypeError, ValueError):
        return repr(shape)
    if not all(s.is_integer() for s in sizes):
        return repr(shape)
    return str(tuple(int(s) for s in sizes))


def row_labels(layers):
    return ["row 0 (Input)"] + [f"row {i} ({layer})" for i, layer in enumerate(layers, start=1)]


@cnn.grades("layer_table")
def test_layer_table_reproduces_the_worked_example():
    """layer_table: the worked example, 28x28x1 through CONV3-10, POOL2, CONV3-10, POOL2, FLATTEN, FC-3"""
    layers = ["CONV3-10", "POOL2", "CONV3-10", "POOL2", "FLATTEN", "FC-3"]
    expected = [
        ("Input", 0, (28, 28, 1)),
        ("CONV3-10", 100, (28, 28, 10)),
        ("POOL2", 0, (14, 14, 10)),
        ("CONV3-10", 910, (14, 14, 10)),
        ("POOL2", 0, (7, 7, 10)),
        ("FLATTEN", 0, (490,)),
        ("FC-3", 1473, (3,)),
    ]
    got = cnn.layer_table(layers, (28, 28, 1))
    check(as_records(got, layers), as_records(expected, layers), names=row_labels(layers), result=got)


@cnn.grades("conv2d_circular")
def test_conv2d_circular_wraps_around_on_a_3x3_image():
    """conv2d_circular: a 3x3 image, one filter that picks the up-left neighbour (wrapping around), one that doubles"""
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]).reshape(3, 3, 1)
    w = np.zeros((3, 3, 1, 2))
    w[0, 0, 0, 0] = 1.0  # filter 0: out[i, j] = x[i - 1, j - 1] (indices mod 3)
    w[1, 1, 0, 1] = 2.0  # filter 1: out[i, j] = 2 x[i, j]
    b = np.array([0.5, -1.0])
    expected = np.zeros((3, 3, 2))
    expected[:, :, 0] = np.array([[9.0, 7.0, 8.0], [3.0, 1.0, 2.0], [6.0, 4.0, 5.0]]) + 0.5
    expected[:, :, 1] = 2.0 * x[:, :, 0] - 1.0
    check(cnn.conv2d_circular(x, w, b), expected, name="out")


@cnn.grades("global_avg_pool")
def test_global_avg_pool_averages_each_channel_of_a_2x2_image():
    """global_avg_pool: a 2x2 image with 2 channels"""
    x = np.zeros((2, 2, 2))
    x[:, :, 0] = [[1.0, 2.0], [3.0, 4.0]]
    x[:, :, 1] = [[0.0, 0.0], [0.0, 8.0]]
    check(cnn.global_avg_pool(x), np.array([2.5, 2.0]), name="pooled")
