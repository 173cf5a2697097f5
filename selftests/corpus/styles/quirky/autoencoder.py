"""autoencoder -- Frobenius norms via np.linalg.norm, trace-form gradients, lists out."""
import numpy as np


def autoencoder_loss(X, W1, W2, lam):
    n = X.shape[1]
    return (np.linalg.norm(X - W2.dot(W1).dot(X), "fro") ** 2 / n
            + lam * np.linalg.norm(W1, "fro") ** 2 + lam * np.linalg.norm(W2, "fro") ** 2)


def autoencoder_grads(X, W1, W2, lam):
    n = X.shape[1]
    Sxx = X @ X.T / n                   # the loss only depends on X through its second moment
    P = W2 @ W1
    G = 2 * (P @ Sxx - Sxx)             # d/dP of tr((I-P) Sxx (I-P)^T)
    return [W2.T @ G + 2 * lam * W1, G @ W1.T + 2 * lam * W2]


def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    rng = np.random.default_rng(seed)
    m, n = X.shape
    W1 = rng.random((k, m)) * 0.2 - 0.1
    W2 = rng.random((m, k)) * 0.2 - 0.1
    for _ in range(epochs):
        perm = rng.permutation(n)
        for i in perm:
            x = X[:, i]
            code = W1 @ x
            err = W2 @ code - x
            W1, W2 = (W1 - lr * (2 * np.outer(W2.T @ err, x) + 2 * lam * W1),
                      W2 - lr * (2 * np.outer(err, code) + 2 * lam * W2))
    return (W1.tolist(), W2.tolist())


def dropout_to_ridge_weights(w_dropout, p):
    return np.multiply(p, w_dropout).tolist()


def dropout_equivalent_gamma(X, p):
    return np.diag(np.sqrt((1 - p) / p * np.sum(X ** 2, axis=0))).tolist()


def ridge_data_matrix(X, Gamma):
    return (X @ np.linalg.inv(Gamma)).tolist()


if __name__ == "__main__":
    X = np.random.default_rng(0).standard_normal((8, 200))
    W1, W2 = train_linear_autoencoder(X, 3, 1e-3, 0.01, 5, 0)
    print(autoencoder_loss(X, np.array(W1), np.array(W2), 1e-3))
