"""Activations, hand-written backprop and matrix calculus (vectorised numpy style)."""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    # exp(-|z|) never overflows; pick the algebraically equal branch by sign.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def relu_grad(z):
    return (np.asarray(z, dtype=float) > 0).astype(float)


def tanh_grad(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=float)) ** 2


def scalar_mlp_grads(x, y_true, A, b, C, d):
    s = sigmoid(A * x + b)                      # (k, 1)
    y_pred = (C @ s).item() + d
    g = 2.0 * (y_pred - y_true)                 # dL/dy_pred
    dpre = g * C.T * s * (1.0 - s)              # (k, 1)
    return {"A": dpre * x, "b": dpre, "C": g * s.T, "d": float(g)}


def gd_update(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}


def sum_of_units_grads(W, b, x, y):
    s = sigmoid(W @ x + b)
    dz = -2.0 * (y - s.sum()) * s * (1.0 - s)
    return np.outer(dz, x), dz


def _activation(name, a):
    if name == "identity":
        return a, np.ones_like(a)
    if name == "relu":
        return np.maximum(a, 0.0), (a > 0).astype(float)
    if name == "sigmoid":
        s = sigmoid(a)
        return s, s * (1.0 - s)
    if name == "tanh":
        t = np.tanh(a)
        return t, 1.0 - t * t
    raise ValueError(f"unknown activation {name!r}")


def two_layer_grads(W1, W2, b, x, y, activation):
    a = W1 @ x + b
    h, dphi = _activation(activation, a)
    r = W2 @ h - y
    da = (W2.T @ r) * dphi
    return {"x": W1.T @ da, "W1": np.outer(da, x), "W2": np.outer(r, h), "b": da}


def grad_norm_sq(x):
    return 2.0 * np.asarray(x, dtype=float)


def jacobian_linear(A, x):
    return np.array(A, dtype=float).T


def grad_composed_x(A, x):
    return 2.0 * A @ (A.T @ x)


def grad_composed_A(A, x):
    return 2.0 * np.einsum("i,j->ij", x, A.T @ x)


def ridge_solution(A, b, lam):
    d = A.shape[1]
    return np.linalg.solve(A.T @ A + lam * np.eye(d), A.T @ b)


def least_squares(X, y):
    return np.linalg.solve(X.T @ X, X.T @ y)


def mlp_relu_forward_backward(x, alpha, beta, y):
    x1 = np.concatenate(([1.0], x))
    a = alpha @ x1
    z = np.maximum(a, 0.0)
    z1 = np.concatenate(([1.0], z))
    y_hat = float(beta @ z1)
    loss = 0.5 * (y_hat - y) ** 2
    e = y_hat - y
    da = e * beta[1:] * (a > 0)
    return {"a": a, "z": z, "y_hat": y_hat, "loss": float(loss),
            "d_alpha": np.outer(da, x1), "d_beta": e * z1}


def skip_net_bce_grads(x, y, W1, b1, W2, b2):
    p1 = W1 @ x + b1
    a1 = np.maximum(p1, 0.0)
    z2 = W2 @ a1 + b2 + x
    y_hat = sigmoid(z2)
    dz2 = y_hat - y
    dp1 = (W2.T @ dz2) * (p1 > 0)
    return {"y_hat": y_hat, "W1": np.outer(dp1, x), "b1": dp1,
            "W2": np.outer(dz2, a1), "b2": dz2, "x": W1.T @ dp1 + dz2}
