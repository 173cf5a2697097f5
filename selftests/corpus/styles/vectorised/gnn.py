"""Masked node-classification loss and a mean-aggregation message-passing layer (vectorised)."""
import numpy as np


def masked_bce_loss(y, y_hat, train_mask):
    mask = np.asarray(train_mask, dtype=bool)
    if not mask.any():
        raise ValueError("no training node")
    yt, pt = y[mask], y_hat[mask]
    return float(-np.mean(yt * np.log(pt) + (1 - yt) * np.log(1 - pt)))


def masked_bce_grad(y, y_hat, train_mask):
    mask = np.asarray(train_mask, dtype=bool)
    n = mask.sum()
    if n == 0:
        raise ValueError("no training node")
    g = (-(y / y_hat) + (1 - y) / (1 - y_hat)) / n
    return np.where(mask, g, 0.0)


def gnn_layer(S, adj, W1, W2):
    A = (np.asarray(adj) != 0).astype(float)
    deg = A.sum(axis=1)
    msgs = np.tanh(S @ W2.T)                        # (N, k): tanh(W2 s_j) for every node
    agg = A @ msgs / np.maximum(deg, 1.0)[:, None]  # isolated nodes get 0
    return S + agg @ W1.T
