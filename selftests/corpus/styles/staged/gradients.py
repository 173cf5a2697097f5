"""Activations and backprop written as a staged computational graph: every forward
intermediate is kept in a named variable and the backward pass walks the graph node by node."""
import numpy as np


def sigmoid(z):
    # sigma(z) = (1 + tanh(z/2)) / 2: tanh saturates instead of overflowing
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s * s


def relu_grad(z):
    return np.heaviside(np.asarray(z, dtype=float), 0.0)


def tanh_grad(z):
    t = np.tanh(np.asarray(z, dtype=float))
    return (1.0 - t) * (1.0 + t)


def scalar_mlp_grads(x, y_true, A, b, C, d):
    # forward graph
    u = A * x                 # (k,1)
    v = u + b                 # (k,1)
    s = sigmoid(v)            # (k,1)
    p = C @ s                 # (1,1)
    y_pred = p[0, 0] + d
    e = y_true - y_pred
    # L = e**2
    # backward graph
    de = 2.0 * e
    dy_pred = -de
    dp = np.array([[dy_pred]])
    dd = dy_pred
    dC = dp @ s.T             # (1,k)
    ds = C.T @ dp             # (k,1)
    dv = ds * s * (1.0 - s)
    db = dv
    du = dv
    dA = du * x
    return {"A": dA, "b": db, "C": dC, "d": float(dd)}


def gd_update(params, grads, lr):
    updated = dict()
    for name, value in params.items():
        step = lr * grads[name]
        updated[name] = value - step
    return updated


def sum_of_units_grads(W, b, x, y):
    z = W @ x + b
    s = sigmoid(z)
    total = np.sum(s)
    e = y - total
    # f = e**2
    de = 2.0 * e
    dtotal = -de
    ds = dtotal * np.ones_like(s)
    dz = ds * sigmoid_grad(z)
    dW = dz[:, None] * x[None, :]
    db = dz
    return dW, db


_ACTIVATIONS = {
    "identity": (lambda a: a, lambda a: np.ones_like(a)),
    "relu": (lambda a: np.where(a > 0, a, 0.0), relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
}


def two_layer_grads(W1, W2, b, x, y, activation):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"unsupported activation: {activation}")
    phi, dphi = _ACTIVATIONS[activation]
    # forward
    m1 = W1 @ x
    a = m1 + b
    h = phi(a)
    m2 = W2 @ h
    r = m2 - y
    # loss = 0.5 * r @ r ; backward
    dr = r
    dm2 = dr
    dW2 = np.outer(dm2, h)
    dh = W2.T @ dm2
    da = dh * dphi(a)
    db = da
    dm1 = da
    dW1 = np.outer(dm1, x)
    dx = W1.T @ dm1
    return {"x": dx, "W1": dW1, "W2": dW2, "b": db}


def grad_norm_sq(x):
    x = np.asarray(x, dtype=float)
    return x + x


def jacobian_linear(A, x):
    # column j of J is f(e_j) = A^T e_j
    d = A.shape[0]
    return np.stack([A.T @ e for e in np.eye(d)], axis=1)


def grad_composed_x(A, x):
    f = A.T @ x               # (n,)
    df = 2.0 * f
    return A @ df


def grad_composed_A(A, x):
    f = A.T @ x
    df = 2.0 * f
    return np.outer(x, df)


def ridge_solution(A, b, lam):
    # ridge as ordinary least squares on the augmented system [A; sqrt(lam) I] x = [b; 0]
    d = A.shape[1]
    A_aug = np.vstack([A, np.sqrt(lam) * np.eye(d)])
    b_aug = np.concatenate([b, np.zeros(d)])
    return np.linalg.lstsq(A_aug, b_aug, rcond=None)[0]


def least_squares(X, y):
    Q, R = np.linalg.qr(X)            # reduced QR, R (d,d) upper triangular
    qty = Q.T @ y
    d = R.shape[0]
    theta = np.zeros(d)
    for i in range(d - 1, -1, -1):   # back substitution
        theta[i] = (qty[i] - R[i, i + 1:] @ theta[i + 1:]) / R[i, i]
    return theta


def mlp_relu_forward_backward(x, alpha, beta, y):
    x_aug = np.insert(np.asarray(x, dtype=float), 0, 1.0)
    a = alpha @ x_aug
    z = np.clip(a, 0.0, None)
    z_aug = np.insert(z, 0, 1.0)
    y_hat = np.dot(beta, z_aug)
    diff = y_hat - y
    loss = 0.5 * diff ** 2
    # backward
    d_diff = diff
    d_yhat = d_diff
    d_beta = d_yhat * z_aug
    d_z_aug = d_yhat * beta
    d_z = d_z_aug[1:]
    d_a = d_z * relu_grad(a)
    d_alpha = np.outer(d_a, x_aug)
    return {"a": a, "z": z, "y_hat": float(y_hat), "loss": float(loss),
            "d_alpha": d_alpha, "d_beta": d_beta}


def skip_net_bce_grads(x, y, W1, b1, W2, b2):
    # forward graph
    p1 = W1 @ x + b1
    a1 = np.maximum(p1, 0.0)
    q2 = W2 @ a1
    z2 = q2 + b2 + x
    y_hat = sigmoid(z2)
    # backward graph: dJ/dz2 of BCE after a sigmoid is y_hat - y
    dz2 = y_hat - y
    db2 = dz2
    dq2 = dz2
    dx_skip = dz2
    dW2 = np.outer(dq2, a1)
    da1 = W2.T @ dq2
    dp1 = da1 * relu_grad(p1)
    db1 = dp1
    dW1 = np.outer(dp1, x)
    dx_main = W1.T @ dp1
    dx = dx_main + dx_skip
    return {"y_hat": y_hat, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "x": dx}
