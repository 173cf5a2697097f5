"""Visible tests for gnn.py: the worked masked loss and small hand-checkable graphs, expected values written out,
and the loss's gradient checked against finite differences of your loss.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, gradient_check, student_file

gnn = student_file("gnn.py")

# The worked example: 5 nodes with predictions (a, b, c, d, e); nodes 1 and 4 (counting from 1) are held
# out, so only b, c (label 1) and e (label 0) count. The held-out nodes would change the loss if used.
Y = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
Y_HAT = np.array([0.9, 0.8, 0.6, 0.3, 0.2])
MASK = np.array([False, True, True, False, True])


@gnn.grades("masked_bce_loss")
def test_masked_bce_loss_reproduces_the_worked_example():
    """masked_bce_loss: the worked example, nodes 1 and 4 held out: -1/3 (log b + log c + log(1 - e))"""
    check(gnn.masked_bce_loss(Y, Y_HAT, MASK), -(np.log(0.8) + np.log(0.6) + np.log(1 - 0.2)) / 3, name="loss")


@gnn.grades("masked_bce_grad")
def test_masked_bce_grad_on_the_worked_example():
    """masked_bce_grad: the worked example: -1/(3 y_hat) for label 1, 1/(3 (1 - y_hat)) for label 0, 0 if held out"""
    expected = np.array([0.0, -1 / (3 * 0.8), -1 / (3 * 0.6), 0.0, 1 / (3 * (1 - 0.2))])
    check(gnn.masked_bce_grad(Y, Y_HAT, MASK), expected, name="grad")


@gnn.grades("gnn_layer")
def test_gnn_layer_on_a_path_of_three_nodes_and_an_isolated_node():
    """gnn_layer: the path 0 - 1 - 2 and an isolated node 3, d = 2, k = 1"""
    S = np.array([[0.5, 1.0], [1.0, -1.0], [2.0, 0.0], [3.0, 3.0]])
    adj = np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    W2 = np.array([[1.0, 0.0]])    # the message of node j is tanh(s_j[0])
    W1 = np.array([[1.0], [2.0]])  # node i adds (m, 2m) for the mean message m of its neighbours
    m0 = np.tanh(1.0)                          # node 0 hears node 1
    m1 = (np.tanh(0.5) + np.tanh(2.0)) / 2     # node 1 hears nodes 0 and 2
    m2 = np.tanh(1.0)                          # node 2 hears node 1
    expected = np.array([[0.5 + m0, 1.0 + 2 * m0], [1.0 + m1, -1.0 + 2 * m1], [2.0 + m2, 2 * m2], [3.0, 3.0]])
    check(gnn.gnn_layer(S, adj, W1, W2), expected, name="S_new")


@gnn.grades("masked_bce_grad")
def test_masked_bce_grad_agrees_with_finite_differences_of_your_masked_bce_loss():
    """masked_bce_grad: agrees with finite differences of your masked_bce_loss on 6 nodes, 4 of them in training"""
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    y_hat = np.array([0.7, 0.4, 0.15, 0.35, 0.9, 0.6])
    mask = np.array([True, False, True, True, False, True])
    grad = gnn.masked_bce_grad(y, y_hat, mask)
    gradient_check(grad, lambda y_hat: gnn.masked_bce_loss(y, y_hat, mask), at={"y_hat": y_hat}, names={"grad": "y_hat"})
