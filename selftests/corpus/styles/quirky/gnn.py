"""gnn -- math.fsum for the loss, a row-normalised adjacency with np.divide(where=), lists out."""
import math

import numpy as np


def _train_idx(train_mask):
    idx = [i for i, keep in enumerate(train_mask) if keep]
    if len(idx) == 0:
        raise ValueError("there must be at least one training node")
    return idx


def masked_bce_loss(y, y_hat, train_mask):
    idx = _train_idx(train_mask)
    terms = [math.log(y_hat[i]) if y[i] == 1 else math.log1p(-y_hat[i]) for i in idx]
    return -math.fsum(terms) / len(idx)


def masked_bce_grad(y, y_hat, train_mask):
    idx = _train_idx(train_mask)
    grad = [0.0] * len(y)
    for i in idx:
        grad[i] = (-1.0 / y_hat[i] if y[i] == 1 else 1.0 / (1.0 - y_hat[i])) / len(idx)
    return grad


def gnn_layer(S, adj, W1, W2):
    A = np.array(adj, dtype=np.float64)
    deg = A.sum(axis=1, keepdims=True)
    A_mean = np.divide(A, deg, out=np.zeros_like(A), where=deg > 0)   # rows of isolated nodes stay 0
    return (S + A_mean @ np.tanh(S @ W2.T) @ W1.T).tolist()


if __name__ == "__main__":
    print(masked_bce_loss(np.array([1.0, 0.0]), np.array([0.8, 0.3]), np.array([True, True])))
