"""Linear autoencoder trained by SGD, and dropout as Tikhonov regularisation (vectorised)."""
import numpy as np


def autoencoder_loss(X, W1, W2, lam):
    R = X - W2 @ W1 @ X
    return float(np.sum(R * R) / X.shape[1] + lam * np.sum(W1 * W1) + lam * np.sum(W2 * W2))


def autoencoder_grads(X, W1, W2, lam):
    n = X.shape[1]
    H = W1 @ X
    R = W2 @ H - X
    dW2 = (2.0 / n) * R @ H.T + 2.0 * lam * W2
    dW1 = (2.0 / n) * W2.T @ R @ X.T + 2.0 * lam * W1
    return dW1, dW2


def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    rng = np.random.default_rng(seed)
    m, n = X.shape
    W1 = 0.01 * rng.standard_normal((k, m))
    W2 = 0.01 * rng.standard_normal((m, k))
    for _ in range(epochs):
        for i in rng.permutation(n):
            x = X[:, i]
            h = W1 @ x
            r = W2 @ h - x
            gW2 = 2.0 * np.outer(r, h) + 2.0 * lam * W2
            gW1 = 2.0 * np.outer(W2.T @ r, x) + 2.0 * lam * W1
            W1 = W1 - lr * gW1
            W2 = W2 - lr * gW2
    return W1, W2


def dropout_to_ridge_weights(w_dropout, p):
    return p * np.asarray(w_dropout, dtype=float)


def dropout_equivalent_gamma(X, p):
    return np.diag(np.sqrt((1.0 - p) / p) * np.linalg.norm(X, axis=0))


def ridge_data_matrix(X, Gamma):
    # X Gamma^{-1} = (Gamma^{-T} X^T)^T, without forming the inverse
    return np.linalg.solve(Gamma.T, X.T).T
