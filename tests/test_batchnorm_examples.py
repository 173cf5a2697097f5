"""Visible tests for batchnorm.py: the worked examples, with their expected values written out, and the
backward passes checked against finite differences of your own forward passes.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, gradient_check, student_file

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


def small_batch():
    """A seeded batch of N=3 examples, D=2 features, and an upstream gradient of the same shape."""
    rng = np.random.default_rng(31)
    return rng.normal(size=(3, 2)), rng.normal(1.0, 0.5, 2), rng.normal(size=2), rng.normal(size=(3, 2))


@bn.grades("batchnorm_backward")
def test_backward_agrees_with_finite_differences_of_your_forward():
    """batchnorm_backward: dx, dgamma and dbeta agree with finite differences of your batchnorm_forward (eps = 0.1)"""
    x, gamma, beta, dout = small_batch()
    grads = bn.batchnorm_backward(dout, x, gamma, eps=0.1)
    gradient_check(grads, lambda x, gamma, beta: bn.batchnorm_forward(x, gamma, beta, eps=0.1),
                   at={"x": x, "gamma": gamma, "beta": beta}, upstream=dout,
                   names={"dx": "x", "dgamma": "gamma", "dbeta": "beta"})


@bn.grades("demean_backward")
def test_demean_backward_agrees_with_finite_differences_of_your_demean_forward():
    """demean_backward: dx agrees with finite differences of your demean_forward"""
    x, gamma, beta, dout = small_batch()
    dx = bn.demean_backward(dout, gamma)
    gradient_check(dx, lambda x: bn.demean_forward(x, gamma, beta), at={"x": x}, upstream=dout, names={"dx": "x"})
