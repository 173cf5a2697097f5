"""Graph neural networks: a masked node-classification loss and a message-passing layer.

Never modify the arguments you are given.
"""

import numpy as np


def masked_bce_loss(y, y_hat, train_mask):
    """Mean binary cross-entropy over the training nodes.

    y: (N,) of 0/1 labels.  y_hat: (N,) predicted probabilities in (0, 1).
    train_mask: (N,) bool, True for the nodes used in training.
    Returns a float. Raises ValueError if no node is a training node.
    """
    raise NotImplementedError


def masked_bce_grad(y, y_hat, train_mask):
    """The gradient of masked_bce_loss with respect to y_hat.

    y, y_hat, train_mask: as in masked_bce_loss (ValueError likewise).
    Returns (N,), zero at the held-out nodes.
    """
    raise NotImplementedError


def gnn_layer(S, adj, W1, W2):
    """One message-passing layer with mean aggregation and a residual connection.

        s_i <- s_i + W1 (1 / n_i) sum over neighbours j of i of tanh(W2 s_j),

    n_i being the number of neighbours of node i; a node without neighbours keeps
    its state.

    S: (N, d), one node state per row.  adj: (N, N) symmetric 0/1 adjacency
    matrix without self-loops.  W1: (d, k).  W2: (k, d).
    Returns the new states, (N, d).
    """
    raise NotImplementedError
