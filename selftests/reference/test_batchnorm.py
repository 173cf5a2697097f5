"""The reference batchnorm.py, checked against the worked example and finite differences."""
import numpy as np
import pytest

from .fd import assert_gradient
from .inputs import assert_float64_array, call_without_mutation
from reference import batchnorm as bn

rng = np.random.default_rng(20240902)


def _case(n=5, d=3):
    return rng.normal(size=(n, d)) * [1.0, 3.0, 0.2], rng.normal(size=d), rng.normal(size=d)


def test_batchnorm_forward_reproduces_the_batch_1_7_7_9():
    x = np.array([[1.0], [7.0], [7.0], [9.0]])
    y = bn.batchnorm_forward(x, np.ones(1), np.zeros(1), eps=0.0)
    assert_float64_array(y, (4, 1))
    np.testing.assert_allclose(y[:, 0], [-5 / 3, 1 / 3, 1 / 3, 1.0], rtol=1e-15)


def test_batchnorm_forward_uses_the_biased_variance_eps_gamma_and_beta_per_feature():
    x, gamma, beta = _case()
    eps = 0.1
    expected = np.empty_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        mean = sum(col) / len(col)
        var = sum((c - mean) ** 2 for c in col) / len(col)
        expected[:, j] = gamma[j] * (col - mean) / np.sqrt(var + eps) + beta[j]
    y = call_without_mutation(bn.batchnorm_forward, x, gamma, beta, eps)
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_batchnorm_forward_defaults_to_eps_1e_minus_5():
    x, gamma, beta = _case()
    np.testing.assert_array_equal(
        bn.batchnorm_forward(x, gamma, beta), bn.batchnorm_forward(x, gamma, beta, 1e-5)
    )


@pytest.mark.parametrize("eps", [1e-5, 0.5])
def test_batchnorm_backward_matches_finite_differences(eps):
    x, gamma, beta = _case()
    dout = rng.normal(size=x.shape)

    def loss(x, gamma, beta):
        return float(np.sum(dout * bn.batchnorm_forward(x, gamma, beta, eps)))

    dx, dgamma, dbeta = call_without_mutation(bn.batchnorm_backward, dout, x, gamma, eps)
    assert_gradient(dx, lambda v: loss(v, gamma, beta), x)
    assert_gradient(dgamma, lambda v: loss(x, v, beta), gamma)
    assert_gradient(dbeta, lambda v: loss(x, gamma, v), beta)
    assert_float64_array(dx, x.shape)
    assert_float64_array(dgamma, gamma.shape)
    assert_float64_array(dbeta, gamma.shape)


def test_batchnorm_backward_defaults_to_eps_1e_minus_5():
    x, gamma, _ = _case()
    dout = rng.normal(size=x.shape)
    for a, b in zip(bn.batchnorm_backward(dout, x, gamma), bn.batchnorm_backward(dout, x, gamma, 1e-5)):
        np.testing.assert_array_equal(a, b)


def test_batchnorm_backward_sends_no_gradient_through_a_constant_shift_of_the_batch():
    x, gamma, _ = _case()
    dx, _, _ = bn.batchnorm_backward(rng.normal(size=x.shape), x, gamma)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)


def test_demean_forward_subtracts_the_batch_mean():
    x, gamma, beta = _case()
    y = call_without_mutation(bn.demean_forward, x, gamma, beta)
    np.testing.assert_allclose(y, gamma * (x - x.sum(axis=0) / len(x)) + beta, rtol=1e-13)


def test_demean_backward_matches_finite_differences():
    x, gamma, beta = _case()
    dout = rng.normal(size=x.shape)
    dx = call_without_mutation(bn.demean_backward, dout, gamma)
    assert_gradient(dx, lambda v: float(np.sum(dout * bn.demean_forward(v, gamma, beta))), x)
    assert_float64_array(dx, x.shape)


def test_demean_backward_follows_the_course_formula():
    dout, gamma = rng.normal(size=(4, 2)), rng.normal(size=2)
    m = dout.shape[0]
    expected = [[gamma[j] * (dout[i, j] - sum(dout[:, j]) / m) for j in range(2)] for i in range(m)]
    np.testing.assert_allclose(bn.demean_backward(dout, gamma), expected, rtol=1e-13)
