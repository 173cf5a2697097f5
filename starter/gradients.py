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
    raise NotImplementedError


def sigmoid_grad(z):
    """The derivative of the sigmoid, sigma(z) * (1 - sigma(z)), elementwise.

    z: array of any shape. Returns an array of the same shape.
    """
    raise NotImplementedError


def relu_grad(z):
    """The derivative of ReLU, elementwise: 1.0 where z > 0, else 0.0 (0.0 at z == 0).

    z: array of any shape. Returns an array of the same shape.
    """
    raise NotImplementedError


def tanh_grad(z):
    """The derivative of tanh, 1 - tanh(z)**2, elementwise.

    z: array of any shape. Returns an array of the same shape.
    """
    raise NotImplementedError


def scalar_mlp_grads(x, y_true, A, b, C, d):
    """Gradients of the squared error of a one-hidden-layer network with scalar input.

    Model: y_pred = C sigmoid(A x + b) + d, loss L = (y_true - y_pred)**2.

    x: float, the input.  y_true: float, the target.
    A: (k, 1).  b: (k, 1).  C: (1, k).  d: float.

    Returns a dict {"A", "b", "C", "d"} of dL/d(parameter), each with the shape of
    its parameter ("d" a float).
    """
    raise NotImplementedError


def gd_update(params, grads, lr):
    """One step of gradient descent on a dict of parameters.

    params, grads: dicts with the same keys, values arrays (or floats).  lr: float.

    Returns a new dict {name: params[name] - lr * grads[name]} (floats stay floats).
    The arguments are left unchanged.
    """
    raise NotImplementedError


def sum_of_units_grads(W, b, x, y):
    """Gradients of f = (y - sum_i sigmoid(w_i . x + b_i))**2.

    W: (n, d) whose rows are the w_i.  b: (n,).  x: (d,).  y: float.

    Returns (dW, db), shaped like W and b.
    """
    raise NotImplementedError


def two_layer_grads(W1, W2, b, x, y, activation):
    """Gradients of l = 1/2 || W2 phi(W1 x + b) - y ||**2.

    W1: (h, d).  W2: (o, h).  b: (h,).  x: (d,).  y: (o,).
    activation: the name of phi, one of "identity", "relu", "sigmoid", "tanh";
    any other value raises ValueError.

    Returns a dict {"x", "W1", "W2", "b"} of dl/d(argument), each shaped like its
    argument.
    """
    raise NotImplementedError


def grad_norm_sq(x):
    """The gradient of ||x||**2 with respect to x.

    x: (d,). Returns (d,).
    """
    raise NotImplementedError


def jacobian_linear(A, x):
    """The Jacobian of f(x) = A^T x.

    A: (d, n).  x: (d,).
    Returns J of shape (n, d) with J[i, j] = d f_i / d x_j.
    """
    raise NotImplementedError


def grad_composed_x(A, x):
    """The gradient of ||A^T x||**2 with respect to x.

    A: (d, n).  x: (d,). Returns (d,).
    """
    raise NotImplementedError


def grad_composed_A(A, x):
    """The gradient of ||A^T x||**2 with respect to A.

    A: (d, n).  x: (d,). Returns (d, n).
    """
    raise NotImplementedError


def ridge_solution(A, b, lam):
    """The minimiser over x of ||A x - b||**2 + lam ||x||**2.

    A: (m, d).  b: (m,).  lam: float > 0. Returns x of shape (d,).
    """
    raise NotImplementedError


def least_squares(X, y):
    """The minimiser over theta of ||y - X theta||**2.

    X: (n, d) of full column rank.  y: (n,). Returns theta of shape (d,).
    """
    raise NotImplementedError


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
    raise NotImplementedError


def skip_net_bce_grads(x, y, W1, b1, W2, b2):
    """Gradients of the binary cross-entropy of a two-layer network with a skip connection.

        a1 = relu(W1 x + b1),   z2 = W2 a1 + b2 + x,   y_hat = sigmoid(z2),
        J = sum_i -y_i log(y_hat_i) - (1 - y_i) log(1 - y_hat_i).

    x: (d,).  y: (d,) of 0/1.  W1: (h, d).  b1: (h,).  W2: (d, h).  b2: (d,).

    Returns a dict {"y_hat", "W1", "b1", "W2", "b2", "x"}: y_hat (d,) and the
    gradients dJ/d(argument), each shaped like its argument.
    """
    raise NotImplementedError
