"""Masked node-classification loss and a message-passing layer -- explicit loops over nodes."""
import math

import numpy as np


def masked_bce_loss(y, y_hat, train_mask):
    total = 0.0
    count = 0
    for i in range(len(y)):
        if train_mask[i]:
            total += -(y[i] * math.log(y_hat[i]) + (1 - y[i]) * math.log(1 - y_hat[i]))
            count += 1
    if count == 0:
        raise ValueError("train_mask selects no node")
    return total / count


def masked_bce_grad(y, y_hat, train_mask):
    count = 0
    for i in range(len(y)):
        if train_mask[i]:
            count += 1
    if count == 0:
        raise ValueError("train_mask selects no node")
    g = np.zeros(len(y))
    for i in range(len(y)):
        if train_mask[i]:
            g[i] = (-y[i] / y_hat[i] + (1 - y[i]) / (1 - y_hat[i])) / count
    return g


def gnn_layer(S, adj, W1, W2):
    N, d = S.shape
    k = W2.shape[0]
    msg = np.zeros((N, k))
    for j in range(N):
        for r in range(k):
            msg[j, r] = math.tanh(sum(W2[r, c] * S[j, c] for c in range(d)))
    out = np.array(S, dtype=float)
    for i in range(N):
        neighbours = [j for j in range(N) if adj[i][j] != 0]
        if not neighbours:
            continue
        agg = [0.0] * k
        for j in neighbours:
            for r in range(k):
                agg[r] += msg[j, r]
        for r in range(k):
            agg[r] /= len(neighbours)
        for c in range(d):
            out[i, c] += sum(W1[c, r] * agg[r] for r in range(k))
    return out
