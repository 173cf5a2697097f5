"""GNN pieces with an explicit edge list: messages are scattered with np.add.at."""
import numpy as np


def masked_bce_loss(y, y_hat, train_mask):
    idx = np.flatnonzero(train_mask)
    if idx.size == 0:
        raise ValueError("masked_bce_loss: no training node in the mask")
    log_lik = np.where(y[idx] == 1, np.log(y_hat[idx]), np.log1p(-y_hat[idx]))
    return -np.sum(log_lik) / idx.size


def masked_bce_grad(y, y_hat, train_mask):
    idx = np.flatnonzero(train_mask)
    if idx.size == 0:
        raise ValueError("masked_bce_grad: no training node in the mask")
    g = np.zeros(len(y))
    g[idx] = (y_hat[idx] - y[idx]) / (y_hat[idx] * (1.0 - y_hat[idx])) / idx.size
    return g


def gnn_layer(S, adj, W1, W2):
    N = S.shape[0]
    src, dst = np.nonzero(np.asarray(adj))          # edge dst <- src (adj symmetric)
    msg = np.tanh(W2 @ S.T).T                       # (N, k)
    summed = np.zeros((N, msg.shape[1]))
    np.add.at(summed, dst, msg[src])
    count = np.bincount(dst, minlength=N).astype(float)
    has = count > 0
    mean = np.zeros_like(summed)
    mean[has] = summed[has] / count[has, None]
    update = mean @ W1.T
    out = S.astype(float, copy=True)
    out[has] += update[has]
    return out
