"""Visible tests for batchnorm.py: the worked examples, with their expected values written out.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, student_file

bn = student_file("batchnorm.py")


@bn.grades("batchnorm_forward")
def test_forward_reproduces_the_worked_example():
    """batchnorm_forward: the worked example, batch {1, 7, 7, 9} with gamma=1, beta=0, eps=0"""
    x = np.array([[1.0], [7.0], [7.0], [9.0]])
    y = bn.batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
    check(y, np.array([[-5 / 3], [1 / 3], [1 / 3], [1.0]]), name="y")


@bn.grades("demean_backward")
def test_demean_backward_reproduces_the_formula_on_a_small_batch():
    """demean_backward: dL/dx_i = gamma (dL/dy_i - mean_j dL/dy_j) on a small batch"""
    dout = np.array([[1.0, -2.0], [3.0, 1.0], [-1.0, 4.0]])
    gamma = np.array([2.0, -1.0])
    check(bn.demean_backward(dout, gamma), np.array([[0.0, 3.0], [4.0, 0.0], [-4.0, -3.0]]), name="dx")
