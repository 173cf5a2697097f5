"""Visible tests for rnn.py: the T = 3 worked example of the scalar RNN and small cases you can check by hand.

Example files never import the reference: they ship as they are in the student kit.
"""
import math

import numpy as np

from autograder.testkit import check, student_file

rnn = student_file("rnn.py")

# The worked example: w = 1/2, u = (u1, u2, u3) = (1, 2, 3), h0 = 0, so
# h1 = 1/2, h2 = (2 + 1/2)/2 = 5/4, h3 = (3 + 5/4)/2 = 17/8.
W, U = 0.5, np.array([1.0, 2.0, 3.0])


@rnn.grades("scalar_rnn_forward")
def test_scalar_rnn_forward_unrolls_a_short_sequence():
    """scalar_rnn_forward: w = 1/2, u = (1, 2, 3), from h0 = 0 and from h0 = 2"""
    check(rnn.scalar_rnn_forward(W, U), np.array([0.5, 1.25, 2.125]), name="hs", case="h0 = 0")
    # h1 = (1 + 2)/2 = 3/2, h2 = (2 + 3/2)/2 = 7/4, h3 = (3 + 7/4)/2 = 19/8
    check(rnn.scalar_rnn_forward(W, U, 2.0), np.array([1.5, 1.75, 2.375]), name="hs", case="h0 = 2")


@rnn.grades("scalar_rnn_grad")
def test_scalar_rnn_grad_reproduces_the_T3_formula():
    """scalar_rnn_grad: dy/dw = u3 + 2 w u2 + 3 w^2 u1 = 5.75 for w = 1/2, u = (1, 2, 3), h0 = 0"""
    check(rnn.scalar_rnn_grad(W, U), 3.0 + 2 * 0.5 * 2.0 + 3 * 0.25 * 1.0, name="dy/dw")


@rnn.grades("scalar_rnn_edge_grads")
def test_scalar_rnn_edge_grads_reproduce_the_T3_terms():
    """scalar_rnn_edge_grads: (p w^2, r w, t) = (0.25, 1.25, 4.25) for w = 1/2, u = (1, 2, 3), h0 = 0"""
    # The inputs of the three uses of w: p = u1 = 1, r = u2 + h1 = 5/2, t = u3 + h2 = 17/4.
    check(rnn.scalar_rnn_edge_grads(W, U), np.array([1.0 * 0.25, 2.5 * 0.5, 4.25]), name="edge gradients")


@rnn.grades("rnn_forward")
def test_rnn_forward_on_a_two_unit_network():
    """rnn_forward: T=2, D=1, H=2, Wx = [[1],[2]], Wh = [[0,1],[0,0]], b = (0, 0.5), h0 = 0, xs = (1, -1)"""
    xs = np.array([[1.0], [-1.0]])
    Wx, Wh, b = np.array([[1.0], [2.0]]), np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([0.0, 0.5])
    h1 = [math.tanh(1.0), math.tanh(2.5)]
    h2 = [math.tanh(-1.0 + h1[1]), math.tanh(-2.0 + 0.5)]  # Wh h1 = (h1[1], 0)
    check(rnn.rnn_forward(xs, np.zeros(2), Wx, Wh, b), np.array([h1, h2]), name="hs")
