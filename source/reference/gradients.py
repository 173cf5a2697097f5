"""Activations, backpropagation by hand, and matrix calculus.

Every array argument is a float64 numpy array. Return numpy arrays of exactly the
shapes stated in each docstring (a Python float where it says "float"), and never
modify the arguments you are given.
"""
import numpy as np


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), elementwise.

    z: array of any shape. Returns an array of the same shape. The result must be
    finite and lie in [0, 1] for |z| up to 1e4 (no NaN, no overflow warnings).
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-1e4) == 0.0 is the right answer
        e = np.exp(-np.abs(z))  # in [0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """The derivative of the sigmoid, sigma(z) * (1 - sigma(z)), elementwise.

    z: array of any shape. Returns an array of the same shape.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu_grad(z):
    """The derivative of ReLU, elementwise: 1.0 where z > 0, else 0.0 (0.0 at z == 0).

    z: array of any shape. Returns an array of the same shape.
    """
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def tanh_grad(z):
    """The derivative of tanh, 1 - tanh(z)**2, elementwise.

    z: array of any shape. Returns an array of the same shape.
    """
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def scalar_mlp_grads(x, y_true, A, b, C, d):
    """Gradients of the squared error of a one-hidden-layer network with scalar input.

    Model: y_pred = C sigmoid(A x + b) + d, loss L = (y_true - y_pred)**2.

    x: float, the input.  y_true: float, the target.
    A: (k, 1).  b: (k, 1).  C: (1, k).  d: float.

    Returns a dict {"A", "b", "C", "d"} of dL/d(parameter), each with the shape of
    its parameter ("d" a float).
    """
    x = float(x)
    hidden = sigmoid(A * x + b)  # (k, 1)
    y_pred = (C @ hidden).item() + float(d)
    dy = 2.0 * (y_pred - float(y_true))  # dL/dy_pred
    dpre = dy * C.T * hidden * (1.0 - hidden)  # (k, 1)
    return {
        "A": dpre * x,
        "b": dpre,
        "C": dy * hidden.T,
        "d": dy,
    }


def gd_update(params, grads, lr):
    """One step of gradient descent on a dict of parameters.

    params, grads: dicts with the same keys, values arrays (or floats).  lr: float.

    Returns a new dict {name: params[name] - lr * grads[name]} (floats stay floats).
    The arguments are left unchanged.
    """
    new = {}
    for name, value in params.items():
        step = np.asarray(value, dtype=np.float64) - lr * np.asarray(grads[name], dtype=np.float64)
        new[name] = float(step) if step.ndim == 0 else step
    return new


def sum_of_units_grads(W, b, x, y):
    """Gradients of f = (y - sum_i sigmoid(w_i . x + b_i))**2.

    W: (n, d) whose rows are the w_i.  b: (n,).  x: (d,).  y: float.

    Returns (dW, db), shaped like W and b.
    """
    s = sigmoid(W @ x + b)  # (n,)
    residual = float(y) - s.sum()
    dpre = -2.0 * residual * s * (1.0 - s)  # df/d(w_i . x + b_i)
    return np.outer(dpre, x), dpre


def _identity(z):
    return z


def _identity_grad(z):
    return np.ones_like(z)


def _relu(z):
    return np.maximum(z, 0.0)


_ACTIVATIONS = {
    "identity": (_identity, _identity_grad),
    "relu": (_relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
}


def two_layer_grads(W1, W2, b, x, y, activation):
    """Gradients of l = 1/2 || W2 phi(W1 x + b) - y ||**2.

    W1: (h, d).  W2: (o, h).  b: (h,).  x: (d,).  y: (o,).
    activation: the name of phi, one of "identity", "relu", "sigmoid", "tanh";
    any other value raises ValueError.

    Returns a dict {"x", "W1", "W2", "b"} of dl/d(argument), each shaped like its
    argument.
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {sorted(_ACTIVATIONS)}"
        )
    phi, phi_grad = _ACTIVATIONS[activation]
    pre = W1 @ x + b  # (h,)
    hidden = phi(pre)
    error = W2 @ hidden - y  # (o,) = dl/d(output)
    dpre = (W2.T @ error) * phi_grad(pre)  # (h,)
    return {
        "x": W1.T @ dpre,
        "W1": np.outer(dpre, x),
        "W2": np.outer(error, hidden),
        "b": dpre,
    }


def grad_norm_sq(x):
    """The gradient of ||x||**2 with respect to x.

    x: (d,). Returns (d,).
    """
    return 2.0 * np.asarray(x, dtype=np.float64)


def jacobian_linear(A, x):
    """The Jacobian of f(x) = A^T x.

    A: (d, n).  x: (d,).
    Returns J of shape (n, d) with J[i, j] = d f_i / d x_j.
    """
    return np.array(A.T, dtype=np.float64)


def grad_composed_x(A, x):
    """The gradient of ||A^T x||**2 with respect to x.

    A: (d, n).  x: (d,). Returns (d,).
    """
    return 2.0 * A @ (A.T @ x)


def grad_composed_A(A, x):
    """The gradient of ||A^T x||**2 with respect to A.

    A: (d, n).  x: (d,). Returns (d, n).
    """
    return 2.0 * np.outer(x, A.T @ x)


def ridge_solution(A, b, lam):
    """The minimiser over x of ||A x - b||**2 + lam ||x||**2.

    A: (m, d).  b: (m,).  lam: float > 0. Returns x of shape (d,).
    """
    d = A.shape[1]
    return np.linalg.solve(A.T @ A + lam * np.eye(d), A.T @ b)


def least_squares(X, y):
    """The minimiser over theta of ||y - X theta||**2.

    X: (n, d) of full column rank.  y: (n,). Returns theta of shape (d,).
    """
    Q, R = np.linalg.qr(X)  # reduced QR: Q (n, d), R (d, d) upper triangular
    return np.linalg.solve(R, Q.T @ y)


def mlp_relu_forward_backward(x, alpha, beta, y):
    """Forward and backward pass of a one-hidden-layer ReLU network with intercepts.

    The intercepts are folded into the weights:
        a = alpha @ [1, x],   z = relu(a),   y_hat = beta @ [1, z],
        loss = 1/2 (y_hat - y)**2.

    x: (d,) without the intercept.  alpha: (h, d + 1), column 0 multiplies the
    intercept 1.  beta: (h + 1,), entry 0 multiplies the intercept 1.  y: float.

    Returns a dict with
        "a": (h,),  "z": (h,) (without the intercept),  "y_hat": float,
        "loss": float,  "d_alpha": (h, d + 1),  "d_beta": (h + 1,)
    where d_alpha and d_beta are d loss / d alpha and d loss / d beta.
    """
    x1 = np.concatenate(([1.0], x))
    a = alpha @ x1
    z = np.maximum(a, 0.0)
    z1 = np.concatenate(([1.0], z))
    y_hat = float(beta @ z1)
    dy = y_hat - float(y)
    da = dy * beta[1:] * relu_grad(a)
    return {
        "a": a,
        "z": z,
        "y_hat": y_hat,
        "loss": 0.5 * dy**2,
        "d_alpha": np.outer(da, x1),
        "d_beta": dy * z1,
    }


def skip_net_bce_grads(x, y, W1, b1, W2, b2):
    """Gradients of the binary cross-entropy of a two-layer network with a skip connection.

        a1 = relu(W1 x + b1),   z2 = W2 a1 + b2 + x,   y_hat = sigmoid(z2),
        J = sum_i -y_i log(y_hat_i) - (1 - y_i) log(1 - y_hat_i).

    x: (d,).  y: (d,) of 0/1.  W1: (h, d).  b1: (h,).  W2: (d, h).  b2: (d,).

    Returns a dict {"y_hat", "W1", "b1", "W2", "b2", "x"}: y_hat (d,) and the
    gradients dJ/d(argument), each shaped like its argument.
    """
    pre1 = W1 @ x + b1
    a1 = np.maximum(pre1, 0.0)
    y_hat = sigmoid(W2 @ a1 + b2 + x)
    dz2 = y_hat - y  # dJ/dz2
    dpre1 = (W2.T @ dz2) * relu_grad(pre1)
    return {
        "y_hat": y_hat,
        "W1": np.outer(dpre1, x),
        "b1": dpre1,
        "W2": np.outer(dz2, a1),
        "b2": dz2,
        "x": W1.T @ dpre1 + dz2,  # through W1, plus the skip path
    }
