"""Linear autoencoder with staged forward/backward, and dropout as Tikhonov regularisation."""
import numpy as np


def _graph(X, W1, W2, lam):
    n = X.shape[1]
    H = W1 @ X
    Xr = W2 @ H
    E = X - Xr
    rec = np.sum(E ** 2) / n
    reg1 = lam * np.sum(W1 ** 2)
    reg2 = lam * np.sum(W2 ** 2)
    return rec + reg1 + reg2, (n, H, E)


def autoencoder_loss(X, W1, W2, lam):
    return float(_graph(X, W1, W2, lam)[0])


def autoencoder_grads(X, W1, W2, lam):
    _, (n, H, E) = _graph(X, W1, W2, lam)
    dE = 2.0 * E / n
    dXr = -dE
    dW2 = dXr @ H.T + 2.0 * lam * W2
    dH = W2.T @ dXr
    dW1 = dH @ X.T + 2.0 * lam * W1
    return dW1, dW2


def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    rng = np.random.default_rng(seed)
    m, n = X.shape
    W2 = rng.uniform(-0.05, 0.05, size=(m, k))
    W1 = rng.uniform(-0.05, 0.05, size=(k, m))
    order = np.arange(n)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x = X[:, i:i + 1]                           # (m, 1)
            dW1, dW2 = autoencoder_grads(x, W1, W2, lam)   # n = 1: the one-point loss
            W1 -= lr * dW1
            W2 -= lr * dW2
    return W1, W2


def dropout_to_ridge_weights(w_dropout, p):
    return np.multiply(w_dropout, p)


def dropout_equivalent_gamma(X, p):
    col_norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    return np.diag(col_norms) * np.sqrt((1.0 - p) / p)


def ridge_data_matrix(X, Gamma):
    Q, R = np.linalg.qr(Gamma)
    # Gamma^{-1} = R^{-1} Q^T
    return np.linalg.solve(R.T, X.T).T @ Q.T
