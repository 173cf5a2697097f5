"""Hidden tests for gnn.py: the reference on seeded random labels, masks and graphs, plus the empty
training mask and nodes without neighbours."""
import numpy as np

from autograder.testkit import match_reference_on, must_raise, student_file
from reference import gnn as ref

gnn = student_file("gnn.py")


def node_sets(seed):
    """Seeded (case, y, y_hat, train_mask): a random mask, every node in training, a single training
    node, and a graph of one node. Predictions stay in [0.02, 0.98]."""
    rng = np.random.default_rng(seed)
    for n, kind in [(12, "random"), (30, "random"), (6, "all"), (9, "one"), (1, "all")]:
        y = rng.integers(0, 2, n).astype(np.float64)
        y_hat = rng.uniform(0.02, 0.98, n)
        if kind == "random":
            mask = rng.random(n) < 0.5
            mask[rng.integers(n)] = True
            what = f"{int(mask.sum())} of {n} nodes in training"
        elif kind == "all":
            mask = np.ones(n, dtype=bool)
            what = f"all {n} node(s) in training"
        else:
            mask = np.zeros(n, dtype=bool)
            mask[rng.integers(n)] = True
            what = f"1 of {n} nodes in training"
        yield what, y, y_hat, mask


@gnn.grades("masked_bce_loss")
def test_masked_bce_loss_matches_the_reference_on_random_masks():
    """masked_bce_loss: random labels, predictions and masks, including every node and a single node in training"""
    match_reference_on(gnn.masked_bce_loss, ref.masked_bce_loss,
                       [(case, (y, y_hat, mask)) for case, y, y_hat, mask in node_sets(701)], name="loss")


@gnn.grades("masked_bce_loss")
def test_masked_bce_loss_raises_when_no_node_is_in_training():
    """masked_bce_loss: ValueError when train_mask selects no node"""
    y, y_hat = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.7, 0.2, 0.4, 0.6])
    with must_raise(ValueError, "when train_mask selects no node"):
        gnn.masked_bce_loss(y, y_hat, np.zeros(4, dtype=bool))


@gnn.grades("masked_bce_grad")
def test_masked_bce_grad_matches_the_reference_on_random_masks():
    """masked_bce_grad: random labels, predictions and masks, including every node and a single node in training"""
    match_reference_on(gnn.masked_bce_grad, ref.masked_bce_grad,
                       [(case, (y, y_hat, mask)) for case, y, y_hat, mask in node_sets(702)], name="grad")


@gnn.grades("masked_bce_grad")
def test_masked_bce_grad_raises_when_no_node_is_in_training():
    """masked_bce_grad: ValueError when train_mask selects no node"""
    y, y_hat = np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.7, 0.2, 0.4, 0.6])
    with must_raise(ValueError, "when train_mask selects no node"):
        gnn.masked_bce_grad(y, y_hat, np.zeros(4, dtype=bool))


def random_graph(rng, n, p):
    """A symmetric 0/1 adjacency matrix without self-loops, each edge present with probability p."""
    upper = np.triu(rng.random((n, n)) < p, k=1)
    return (upper | upper.T).astype(np.float64)


def layer_case(rng, n, d, k, adj):
    S = rng.normal(0.0, 1.0, (n, d))
    W1, W2 = rng.normal(0.0, 0.8, (d, k)), rng.normal(0.0, 0.8, (k, d))
    return S, adj, W1, W2


@gnn.grades("gnn_layer")
def test_gnn_layer_matches_the_reference_on_random_graphs():
    """gnn_layer: random connected graphs of several sizes, state size d and message size k"""
    rng = np.random.default_rng(703)
    cases = []
    for n, d, k, p in [(6, 3, 2, 0.5), (10, 2, 5, 0.3), (4, 4, 4, 1.0), (8, 1, 3, 0.6)]:
        adj = random_graph(rng, n, p)
        adj[np.arange(n - 1), np.arange(1, n)] = adj[np.arange(1, n), np.arange(n - 1)] = 1.0  # a path: none isolated
        cases.append((f"a graph of {n} nodes with {int(adj.sum()) // 2} edges, d={d}, k={k}",
                      layer_case(rng, n, d, k, adj)))
    match_reference_on(gnn.gnn_layer, ref.gnn_layer, cases, name="S_new")


@gnn.grades("gnn_layer")
def test_gnn_layer_keeps_isolated_nodes_unchanged():
    """gnn_layer: nodes without neighbours keep their state, in a sparse graph and in a graph without edges"""
    rng = np.random.default_rng(704)
    sparse = np.zeros((7, 7))
    for i, j in [(0, 3), (3, 5), (5, 0), (2, 6)]:  # a triangle and one edge; nodes 1 and 4 are isolated
        sparse[i, j] = sparse[j, i] = 1.0
    graphs = [(sparse, 3, 2, "a graph of 7 nodes where nodes 1 and 4 have no neighbours"),
              (np.zeros((5, 5)), 2, 3, "a graph of 5 nodes without edges"),
              (np.zeros((1, 1)), 4, 2, "a graph of a single node")]
    match_reference_on(gnn.gnn_layer, ref.gnn_layer,
                       [(what, layer_case(rng, len(adj), d, k, adj)) for adj, d, k, what in graphs], name="S_new")
