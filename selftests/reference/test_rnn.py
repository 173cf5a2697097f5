"""The reference rnn.py, checked against the T=3 formulas and finite differences."""
import numpy as np
import pytest

from .fd import assert_gradient, numerical_gradient
from .inputs import assert_float64_array, call_without_mutation
from reference import rnn

rng = np.random.default_rng(20240903)


def test_scalar_rnn_forward_unrolls_the_recurrence():
    w, (u1, u2, u3), h0 = 0.7, (1.5, -2.0, 0.25), 0.4
    h1 = w * (u1 + h0)
    h2 = w * (u2 + h1)
    h3 = w * (u3 + h2)
    hs = call_without_mutation(rnn.scalar_rnn_forward, w, np.array([u1, u2, u3]), h0)
    assert_float64_array(hs, (3,))
    np.testing.assert_allclose(hs, [h1, h2, h3], rtol=1e-15)


def test_scalar_rnn_forward_starts_from_h0_equal_to_zero_by_default():
    u = np.array([1.0, 2.0])
    np.testing.assert_array_equal(rnn.scalar_rnn_forward(0.5, u), rnn.scalar_rnn_forward(0.5, u, 0.0))
    np.testing.assert_allclose(rnn.scalar_rnn_forward(0.5, u), [0.5, 1.25])


def test_scalar_rnn_grad_reproduces_the_T3_formula():
    w, u = 0.8, np.array([1.5, -2.0, 0.25])
    grad = rnn.scalar_rnn_grad(w, u)
    assert type(grad) is float
    assert grad == pytest.approx(u[2] + 2 * w * u[1] + 3 * w**2 * u[0], rel=1e-14)


@pytest.mark.parametrize("h0", [0.0, -1.3])
def test_scalar_rnn_grad_matches_finite_differences(h0):
    w, u = -0.9, rng.normal(size=6)
    grad = call_without_mutation(rnn.scalar_rnn_grad, w, u, h0)
    numeric = numerical_gradient(lambda v: rnn.scalar_rnn_forward(float(v), u, h0)[-1], np.array(w))
    assert grad == pytest.approx(float(numeric), rel=1e-7)


def test_scalar_rnn_edge_grads_reproduce_the_T3_terms():
    w, (u1, u2, u3) = 0.8, (1.5, -2.0, 0.25)
    p, r, t = u1, u2 + w * u1, u3 + w * u2 + w**2 * u1  # the input of each use of w
    edges = rnn.scalar_rnn_edge_grads(w, np.array([u1, u2, u3]))
    assert_float64_array(edges, (3,))
    np.testing.assert_allclose(edges, [p * w**2, r * w, t], rtol=1e-14)


@pytest.mark.parametrize("h0", [0.0, 0.6])
def test_scalar_rnn_edge_grads_sum_to_the_gradient(h0):
    w, u = 1.1, rng.normal(size=5)
    edges = call_without_mutation(rnn.scalar_rnn_edge_grads, w, u, h0)
    assert edges.sum() == pytest.approx(rnn.scalar_rnn_grad(w, u, h0), rel=1e-13)


def test_scalar_rnn_edge_grads_measure_each_use_of_w_separately():
    # Give every time step its own copy of w; the edge gradient of step t is dy/dw_t.
    w, u, h0 = 0.7, rng.normal(size=4), 0.3

    def y(ws):
        h = h0
        for w_t, u_t in zip(ws, u):
            h = w_t * (u_t + h)
        return h

    np.testing.assert_allclose(
        rnn.scalar_rnn_edge_grads(w, u, h0), numerical_gradient(y, np.full(4, w)), rtol=1e-7
    )


def _rnn_case(T=4, D=3, H=5):
    return {
        "xs": rng.normal(size=(T, D)),
        "h0": rng.normal(size=H),
        "Wx": rng.normal(size=(H, D)) * 0.5,
        "Wh": rng.normal(size=(H, H)) * 0.5,
        "b": rng.normal(size=H) * 0.5,
    }


def test_rnn_forward_applies_the_tanh_recurrence():
    args = _rnn_case()
    hs = call_without_mutation(rnn.rnn_forward, *args.values())
    assert_float64_array(hs, (4, 5))
    h = args["h0"]
    for t, x_t in enumerate(args["xs"]):
        h = np.tanh(args["Wx"] @ x_t + args["Wh"] @ h + args["b"])
        np.testing.assert_allclose(hs[t], h, rtol=1e-13)


@pytest.mark.parametrize("name", ["xs", "h0", "Wx", "Wh", "b"])
def test_rnn_backward_matches_finite_differences(name):
    args = _rnn_case()
    dhs = rng.normal(size=(4, 5))

    def loss(value):
        return float(np.sum(dhs * rnn.rnn_forward(**{**args, name: value})))

    grads = call_without_mutation(rnn.rnn_backward, dhs, *args.values())
    assert set(grads) == {"xs", "h0", "Wx", "Wh", "b"}
    assert_float64_array(grads[name], args[name].shape)
    assert_gradient(grads[name], loss, args[name])


def test_rnn_backward_when_only_the_last_state_matters():
    args = _rnn_case()
    dhs = np.zeros((4, 5))
    dhs[-1] = rng.normal(size=5)

    def loss(h0):
        return float(dhs[-1] @ rnn.rnn_forward(**{**args, "h0": h0})[-1])

    assert_gradient(rnn.rnn_backward(dhs, *args.values())["h0"], loss, args["h0"])
