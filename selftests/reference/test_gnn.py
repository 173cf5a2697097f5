"""The reference gnn.py: the 5-node masked loss, finite differences and graph symmetries."""
import numpy as np
import pytest

from .fd import assert_gradient
from .inputs import assert_float64_array, call_without_mutation
from reference import gnn

rng = np.random.default_rng(20240907)


def _five_nodes():
    """Nodes a..e (1-based 1..5); nodes 1 and 4 are held out."""
    a, b, c, d, e = 0.3, 0.8, 0.6, 0.45, 0.2
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    y_hat = np.array([a, b, c, d, e])
    mask = np.array([False, True, True, False, True])
    return y, y_hat, mask


def test_masked_bce_loss_reproduces_the_five_node_formula():
    y, y_hat, mask = _five_nodes()
    _, b, c, _, e = y_hat
    loss = call_without_mutation(gnn.masked_bce_loss, y, y_hat, mask)
    assert type(loss) is float
    assert loss == pytest.approx(-(np.log(b) + np.log(c) + np.log(1 - e)) / 3, rel=1e-14)


def test_masked_bce_loss_ignores_the_held_out_nodes():
    y, y_hat, mask = _five_nodes()
    changed_y, changed_y_hat = y.copy(), y_hat.copy()
    changed_y[~mask], changed_y_hat[~mask] = 1 - y[~mask], 0.999
    assert gnn.masked_bce_loss(changed_y, changed_y_hat, mask) == gnn.masked_bce_loss(y, y_hat, mask)


def test_masked_bce_grad_matches_finite_differences_and_is_zero_off_the_mask():
    y = (rng.random(7) < 0.5).astype(float)
    y_hat = rng.uniform(0.1, 0.9, size=7)
    mask = np.array([True, False, True, True, False, True, False])
    grad = call_without_mutation(gnn.masked_bce_grad, y, y_hat, mask)
    assert_float64_array(grad, (7,))
    assert_gradient(grad, lambda v: gnn.masked_bce_loss(y, v, mask), y_hat)
    np.testing.assert_array_equal(grad[~mask], 0.0)


@pytest.mark.parametrize("function", [gnn.masked_bce_loss, gnn.masked_bce_grad])
def test_an_empty_train_mask_is_a_value_error(function):
    y, y_hat, _ = _five_nodes()
    with pytest.raises(ValueError):
        function(y, y_hat, np.zeros(5, dtype=bool))


def _graph(n=6, d=3, k=4):
    upper = np.triu((rng.random((n, n)) < 0.5).astype(float), 1)
    adj = upper + upper.T
    adj[0, :] = adj[:, 0] = 0.0  # node 0 is isolated
    adj[1, 2] = adj[2, 1] = 1.0  # and node 1 has a neighbour
    return rng.normal(size=(n, d)), adj, rng.normal(size=(d, k)), rng.normal(size=(k, d))


def test_gnn_layer_follows_the_update_rule_node_by_node():
    S, adj, W1, W2 = _graph()
    out = call_without_mutation(gnn.gnn_layer, S, adj, W1, W2)
    assert_float64_array(out, S.shape)
    for i in range(len(S)):
        neighbours = [j for j in range(len(S)) if adj[i, j]]
        expected = S[i].copy()
        if neighbours:
            expected += W1 @ (sum(np.tanh(W2 @ S[j]) for j in neighbours) / len(neighbours))
        np.testing.assert_allclose(out[i], expected, rtol=1e-13)


def test_gnn_layer_leaves_an_isolated_node_unchanged():
    S, adj, W1, W2 = _graph()
    with np.errstate(all="raise"):
        out = gnn.gnn_layer(S, adj, W1, W2)
    np.testing.assert_array_equal(out[0], S[0])


def test_gnn_layer_on_a_graph_without_edges_is_the_identity():
    S, _, W1, W2 = _graph()
    np.testing.assert_array_equal(gnn.gnn_layer(S, np.zeros((6, 6)), W1, W2), S)


def test_gnn_layer_is_equivariant_to_renumbering_the_nodes():
    S, adj, W1, W2 = _graph()
    perm = rng.permutation(len(S))
    out = gnn.gnn_layer(S, adj, W1, W2)
    out_permuted = gnn.gnn_layer(S[perm], adj[np.ix_(perm, perm)], W1, W2)
    np.testing.assert_allclose(out_permuted, out[perm], rtol=1e-13)
