"""Activations, hand-written backprop and matrix calculus -- written with explicit loops."""
import math

import numpy as np


def _sig(v):
    # math.exp overflows (OverflowError) for arguments above ~709, so branch on the sign
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def _elementwise(fn, z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = fn(float(z[idx]))
    return out


def sigmoid(z):
    return _elementwise(_sig, z)


def sigmoid_grad(z):
    def g(v):
        s = _sig(v)
        return s * (1.0 - s)
    return _elementwise(g, z)


def relu_grad(z):
    return _elementwise(lambda v: 1.0 if v > 0 else 0.0, z)


def tanh_grad(z):
    return _elementwise(lambda v: 1.0 - math.tanh(v) ** 2, z)


def scalar_mlp_grads(x, y_true, A, b, C, d):
    k = A.shape[0]
    s = [_sig(A[i, 0] * x + b[i, 0]) for i in range(k)]
    y_pred = d
    for i in range(k):
        y_pred += C[0, i] * s[i]
    g = -2.0 * (y_true - y_pred)
    dA = np.zeros((k, 1))
    db = np.zeros((k, 1))
    dC = np.zeros((1, k))
    for i in range(k):
        dC[0, i] = g * s[i]
        dpre = g * C[0, i] * s[i] * (1.0 - s[i])
        db[i, 0] = dpre
        dA[i, 0] = dpre * x
    return {"A": dA, "b": db, "C": dC, "d": float(g)}


def gd_update(params, grads, lr):
    new = {}
    for name in params:
        new[name] = params[name] - lr * grads[name]
    return new


def sum_of_units_grads(W, b, x, y):
    n, d = W.shape
    s = []
    for i in range(n):
        z = b[i]
        for j in range(d):
            z += W[i, j] * x[j]
        s.append(_sig(z))
    total = sum(s)
    dW = np.zeros((n, d))
    db = np.zeros(n)
    for i in range(n):
        dz = -2.0 * (y - total) * s[i] * (1.0 - s[i])
        db[i] = dz
        for j in range(d):
            dW[i, j] = dz * x[j]
    return dW, db


def two_layer_grads(W1, W2, b, x, y, activation):
    if activation == "identity":
        phi, dphi = (lambda a: a), (lambda a: 1.0)
    elif activation == "relu":
        phi, dphi = (lambda a: max(a, 0.0)), (lambda a: 1.0 if a > 0 else 0.0)
    elif activation == "sigmoid":
        phi, dphi = _sig, (lambda a: _sig(a) * (1.0 - _sig(a)))
    elif activation == "tanh":
        phi, dphi = math.tanh, (lambda a: 1.0 - math.tanh(a) ** 2)
    else:
        raise ValueError("activation must be identity, relu, sigmoid or tanh")
    h, d = W1.shape
    o = W2.shape[0]
    a = [b[i] + sum(W1[i, j] * x[j] for j in range(d)) for i in range(h)]
    hid = [phi(v) for v in a]
    r = [sum(W2[p, i] * hid[i] for i in range(h)) - y[p] for p in range(o)]
    dW2 = np.zeros((o, h))
    for p in range(o):
        for i in range(h):
            dW2[p, i] = r[p] * hid[i]
    da = np.zeros(h)
    for i in range(h):
        da[i] = sum(W2[p, i] * r[p] for p in range(o)) * dphi(a[i])
    dW1 = np.zeros((h, d))
    dx = np.zeros(d)
    for i in range(h):
        for j in range(d):
            dW1[i, j] = da[i] * x[j]
            dx[j] += W1[i, j] * da[i]
    return {"x": dx, "W1": dW1, "W2": dW2, "b": da}


def grad_norm_sq(x):
    g = np.zeros(len(x))
    for i in range(len(x)):
        g[i] = 2.0 * x[i]
    return g


def jacobian_linear(A, x):
    d, n = A.shape
    J = np.zeros((n, d))
    for i in range(n):
        for j in range(d):
            J[i, j] = A[j, i]
    return J


def _At_x(A, x):
    d, n = A.shape
    return [sum(A[j, i] * x[j] for j in range(d)) for i in range(n)]


def grad_composed_x(A, x):
    d, n = A.shape
    v = _At_x(A, x)
    g = np.zeros(d)
    for j in range(d):
        for i in range(n):
            g[j] += 2.0 * A[j, i] * v[i]
    return g


def grad_composed_A(A, x):
    d, n = A.shape
    v = _At_x(A, x)
    G = np.zeros((d, n))
    for j in range(d):
        for i in range(n):
            G[j, i] = 2.0 * x[j] * v[i]
    return G


def _solve(M, rhs):
    """Gaussian elimination with partial pivoting on Python lists."""
    n = len(rhs)
    aug = [list(M[i]) + [rhs[i]] for i in range(n)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(aug[r][col]))
        aug[col], aug[piv] = aug[piv], aug[col]
        for r in range(col + 1, n):
            f = aug[r][col] / aug[col][col]
            for c in range(col, n + 1):
                aug[r][c] -= f * aug[col][c]
    sol = [0.0] * n
    for r in range(n - 1, -1, -1):
        acc = aug[r][n]
        for c in range(r + 1, n):
            acc -= aug[r][c] * sol[c]
        sol[r] = acc / aug[r][r]
    return np.array(sol)


def _normal_equations(X, y, lam):
    n, d = X.shape
    M = [[sum(X[t, i] * X[t, j] for t in range(n)) + (lam if i == j else 0.0) for j in range(d)]
         for i in range(d)]
    rhs = [sum(X[t, i] * y[t] for t in range(n)) for i in range(d)]
    return M, rhs


def ridge_solution(A, b, lam):
    return _solve(*_normal_equations(A, b, lam))


def least_squares(X, y):
    return _solve(*_normal_equations(X, y, 0.0))


def mlp_relu_forward_backward(x, alpha, beta, y):
    h = alpha.shape[0]
    d = len(x)
    x1 = [1.0] + [float(v) for v in x]
    a = np.zeros(h)
    z = np.zeros(h)
    for i in range(h):
        for j in range(d + 1):
            a[i] += alpha[i, j] * x1[j]
        z[i] = a[i] if a[i] > 0 else 0.0
    y_hat = beta[0]
    for i in range(h):
        y_hat += beta[i + 1] * z[i]
    err = y_hat - y
    loss = 0.5 * err * err
    d_beta = np.zeros(h + 1)
    d_beta[0] = err
    d_alpha = np.zeros((h, d + 1))
    for i in range(h):
        d_beta[i + 1] = err * z[i]
        da = err * beta[i + 1] * (1.0 if a[i] > 0 else 0.0)
        for j in range(d + 1):
            d_alpha[i, j] = da * x1[j]
    return {"a": a, "z": z, "y_hat": float(y_hat), "loss": float(loss),
            "d_alpha": d_alpha, "d_beta": d_beta}


def skip_net_bce_grads(x, y, W1, b1, W2, b2):
    h, d = W1.shape
    p1 = [b1[i] + sum(W1[i, j] * x[j] for j in range(d)) for i in range(h)]
    a1 = [max(v, 0.0) for v in p1]
    y_hat = np.zeros(d)
    dz2 = np.zeros(d)
    for q in range(d):
        z2 = b2[q] + x[q] + sum(W2[q, i] * a1[i] for i in range(h))
        y_hat[q] = _sig(z2)
        dz2[q] = y_hat[q] - y[q]
    dW2 = np.zeros((d, h))
    dp1 = np.zeros(h)
    for i in range(h):
        for q in range(d):
            dW2[q, i] = dz2[q] * a1[i]
        if p1[i] > 0:
            dp1[i] = sum(W2[q, i] * dz2[q] for q in range(d))
    dW1 = np.zeros((h, d))
    dx = np.zeros(d)
    for q in range(d):
        dx[q] = dz2[q]                      # skip path
    for i in range(h):
        for j in range(d):
            dW1[i, j] = dp1[i] * x[j]
            dx[j] += W1[i, j] * dp1[i]
    return {"y_hat": y_hat, "W1": dW1, "b1": dp1.copy(), "W2": dW2, "b2": dz2.copy(), "x": dx}
