"""Linear autoencoder and dropout as Tikhonov regularisation -- loops over points."""
import math

import numpy as np


def autoencoder_loss(X, W1, W2, lam):
    m, n = X.shape
    recon = 0.0
    for i in range(n):
        x = X[:, i]
        r = x - W2 @ (W1 @ x)
        recon += float(r @ r)
    reg = 0.0
    for W in (W1, W2):
        for v in W.ravel():
            reg += v * v
    return recon / n + lam * reg


def autoencoder_grads(X, W1, W2, lam):
    m, n = X.shape
    dW1 = np.zeros(W1.shape)
    dW2 = np.zeros(W2.shape)
    for i in range(n):
        x = X[:, i]
        h = W1 @ x
        r = W2 @ h - x
        dW2 += 2.0 * np.outer(r, h)
        dW1 += 2.0 * np.outer(W2.T @ r, x)
    dW1 = dW1 / n + 2.0 * lam * W1
    dW2 = dW2 / n + 2.0 * lam * W2
    return dW1, dW2


def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    rng = np.random.default_rng(seed)
    m, n = X.shape
    W1 = rng.uniform(-0.1, 0.1, size=(k, m))
    W2 = rng.uniform(-0.1, 0.1, size=(m, k))
    for epoch in range(epochs):
        order = rng.permutation(n)
        for i in order:
            x = X[:, i]
            h = W1 @ x
            r = W2 @ h - x
            gW1 = 2.0 * np.outer(W2.T @ r, x) + 2.0 * lam * W1
            gW2 = 2.0 * np.outer(r, h) + 2.0 * lam * W2
            W1 = W1 - lr * gW1
            W2 = W2 - lr * gW2
    return W1, W2


def dropout_to_ridge_weights(w_dropout, p):
    w = np.asarray(w_dropout, dtype=float)
    out = np.zeros(w.shape)
    for idx in np.ndindex(w.shape):
        out[idx] = p * w[idx]
    return out


def dropout_equivalent_gamma(X, p):
    n, d = X.shape
    G = np.zeros((d, d))
    for j in range(d):
        col = 0.0
        for i in range(n):
            col += X[i, j] ** 2
        G[j, j] = math.sqrt((1.0 - p) / p) * math.sqrt(col)
    return G


def ridge_data_matrix(X, Gamma):
    return X @ np.linalg.inv(Gamma)
