"""The reference attention.py, checked against the worked example and finite differences."""
import numpy as np
import pytest

from .fd import assert_gradient
from .inputs import assert_float64_array, call_without_mutation
from reference import attention as att

rng = np.random.default_rng(20240904)

KEYS = np.array([[1.0, 2.0, 0.0], [0.0, 3.0, 4.0], [5.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
VALUES = np.array([[2.0, 0.0, 1.0], [1.0, 4.0, 3.0], [0.0, -1.0, 4.0], [1.0, 0.0, -1.0]])
QUERY = np.array([1.0, 1.0, 2.0])


def test_argmax_attention_reproduces_the_worked_example():
    out = call_without_mutation(att.argmax_attention, QUERY, KEYS, VALUES)
    assert_float64_array(out, (3,))
    np.testing.assert_array_equal(out, [1.0, 4.0, 3.0])


def test_argmax_attention_breaks_ties_towards_the_lowest_index():
    K = np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 0.0]])  # scores 1, 2, 2 for q = (1, 1)
    V = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_array_equal(att.argmax_attention(np.ones(2), K, V), [1.0])


def test_argmax_attention_backward_matches_finite_differences_away_from_ties():
    q, K, V = rng.normal(size=3), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    dout = rng.normal(size=2)
    dq, dK, dV = call_without_mutation(att.argmax_attention_backward, dout, q, K, V)

    def loss(q, K, V):
        return float(dout @ att.argmax_attention(q, K, V))

    assert_gradient(dq, lambda v: loss(v, K, V), q)
    assert_gradient(dK, lambda v: loss(q, v, V), K)
    assert_gradient(dV, lambda v: loss(q, K, v), V)
    for grad, arg in [(dq, q), (dK, K), (dV, V)]:
        assert_float64_array(grad, arg.shape)


def test_argmax_attention_backward_puts_dout_in_the_selected_row_only():
    dout = np.array([1.0, -2.0, 0.5])
    dq, dK, dV = att.argmax_attention_backward(dout, QUERY, KEYS, VALUES)
    np.testing.assert_array_equal(dq, 0.0)
    np.testing.assert_array_equal(dK, 0.0)
    np.testing.assert_array_equal(dV, [[0, 0, 0], dout, [0, 0, 0], [0, 0, 0]])


def _softmax_attention_by_rows(Q, K, V):
    out = []
    for q in Q:
        scores = K @ q / np.sqrt(len(q))
        weights = np.exp(scores - scores.max())
        out.append(weights @ V / weights.sum())
    return np.array(out)


def test_softmax_attention_matches_a_row_by_row_computation():
    Q, K, V = rng.normal(size=(2, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    out = call_without_mutation(att.softmax_attention, Q, K, V)
    assert_float64_array(out, (2, 3))
    np.testing.assert_allclose(out, _softmax_attention_by_rows(Q, K, V), rtol=1e-13)


def test_softmax_attention_averages_the_values_when_all_scores_are_equal():
    V = rng.normal(size=(4, 2))
    out = att.softmax_attention(np.zeros((3, 5)), rng.normal(size=(4, 5)), V)
    np.testing.assert_allclose(out, np.tile(V.mean(axis=0), (3, 1)), rtol=1e-14)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_softmax_attention_is_finite_for_scores_of_size_1e4(sign):
    d = 4
    Q = np.full((2, d), sign * 100.0)  # score with the first key: 1e4 * 4 / sqrt(4) = 2e4
    K = np.array([[1.0] * d, [0.5] * d, [-1.0] * d])
    V = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with np.errstate(all="raise"):
        out = att.softmax_attention(Q, K, V)
        grads = att.softmax_attention_backward(np.ones((2, 2)), Q, K, V)
    expected_row = V[0] if sign > 0 else V[2]
    np.testing.assert_allclose(out, [expected_row, expected_row])
    assert all(np.all(np.isfinite(grad)) for grad in grads)


@pytest.mark.parametrize("name", ["Q", "K", "V"])
def test_softmax_attention_backward_matches_finite_differences(name):
    args = {"Q": rng.normal(size=(3, 4)), "K": rng.normal(size=(5, 4)), "V": rng.normal(size=(5, 2))}
    dout = rng.normal(size=(3, 2))
    grads = dict(zip("QKV", call_without_mutation(att.softmax_attention_backward, dout, *args.values())))

    def loss(value):
        return float(np.sum(dout * att.softmax_attention(**{**args, name: value})))

    assert_float64_array(grads[name], args[name].shape)
    assert_gradient(grads[name], loss, args[name])
