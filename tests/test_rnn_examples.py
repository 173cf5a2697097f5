"""Visible tests for rnn.py: the T = 3 worked example of the scalar RNN, small cases you can check by hand,
and the gradients checked against finite differences of your forward passes.

Example files never import the reference: they ship as they are in the student kit.
"""
import math

import numpy as np

from autograder.testkit import check, gradient_check, student_file

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


# A short sequence for the gradient checks: w = 0.8, T = 4, h0 = 0.3.
W_CHECK, U_CHECK, H0_CHECK = 0.8, np.array([0.5, -1.0, 2.0, 0.7]), 0.3


@rnn.grades("scalar_rnn_grad")
def test_scalar_rnn_grad_agrees_with_finite_differences_of_your_forward():
    """scalar_rnn_grad: dy/dw agrees with finite differences of h_T from your scalar_rnn_forward (w=0.8, T=4, h0=0.3)"""
    grad = rnn.scalar_rnn_grad(W_CHECK, U_CHECK, H0_CHECK)
    last = np.eye(len(U_CHECK))[-1]  # y = h_T, the last state
    gradient_check(grad, lambda w: rnn.scalar_rnn_forward(w, U_CHECK, H0_CHECK), at={"w": W_CHECK}, upstream=last,
                   names={"dy/dw": "w"})


@rnn.grades("scalar_rnn_edge_grads")
def test_scalar_rnn_edge_grads_agree_with_finite_differences_of_each_use_of_w():
    """scalar_rnn_edge_grads: entry t is dy/dw_t when step t has its own copy w_t of w (w=0.8, T=4, h0=0.3)"""
    def last_state(ws):
        """h_T of h_t = w_t (u_t + h_{t-1}), with a separate w_t at each step (the spec's recurrence)."""
        h = H0_CHECK
        for w_t, u_t in zip(ws, U_CHECK):
            h = w_t * (u_t + h)
        return h

    edges = rnn.scalar_rnn_edge_grads(W_CHECK, U_CHECK, H0_CHECK)
    gradient_check(edges, last_state, at={"ws": np.full(len(U_CHECK), W_CHECK)}, names={"edge gradients": "ws"},
                   forward_name="y = h_T with its own copy w_t of w at each step t")


@rnn.grades("rnn_backward")
def test_rnn_backward_agrees_with_finite_differences_of_your_forward():
    """rnn_backward: the gradients of xs, h0, Wx, Wh and b agree with finite differences of your rnn_forward (T=3, D=1, H=2)"""
    rng = np.random.default_rng(41)
    xs, h0 = rng.normal(size=(3, 1)), rng.normal(size=2)
    Wx, Wh, b = 0.6 * rng.normal(size=(2, 1)), 0.6 * rng.normal(size=(2, 2)), 0.6 * rng.normal(size=2)
    dhs = rng.normal(size=(3, 2))  # the loss depends on every state
    grads = rnn.rnn_backward(dhs, xs, h0, Wx, Wh, b)
    gradient_check(grads, lambda xs, h0, Wx, Wh, b: rnn.rnn_forward(xs, h0, Wx, Wh, b),
                   at={"xs": xs, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, upstream=dhs)
