"""Linear autoencoders trained by SGD, and dropout seen as ridge regression.

In the autoencoder functions the data X is (m, n): n points in m dimensions, one
point per column. In the dropout functions X is (n, d): one example per row.
Never modify the arguments you are given.
"""

import numpy as np


def autoencoder_loss(X, W1, W2, lam):
    """The regularised reconstruction loss of a linear autoencoder:

        (1/n) ||X - W2 W1 X||_F**2 + lam ||W1||_F**2 + lam ||W2||_F**2.

    X: (m, n).  W1: (k, m), the encoder.  W2: (m, k), the decoder.  lam: float >= 0.
    Returns a float.
    """
    raise NotImplementedError


def autoencoder_grads(X, W1, W2, lam):
    """The gradients of autoencoder_loss.

    X, W1, W2, lam: as in autoencoder_loss.
    Returns (dW1, dW2), shaped like W1 and W2.
    """
    raise NotImplementedError


def train_linear_autoencoder(X, k, lam, lr, epochs, seed):
    """Train a linear autoencoder with k hidden units by stochastic gradient descent.

    One step per point, the points visited in an order shuffled every epoch; each
    step descends on the one-point loss
        ||x_i - W2 W1 x_i||**2 + lam ||W1||_F**2 + lam ||W2||_F**2
    (whose mean over the points is autoencoder_loss). Start from small random
    weights (entries of size about 0.1 or less) drawn from
    numpy.random.default_rng(seed).

    X: (m, n).  k: int, the code size.  lam: float >= 0.  lr: float, the step size.
    epochs: int, passes over the data.  seed: int.
    Returns (W1, W2) of shapes (k, m) and (m, k).
    """
    raise NotImplementedError


def dropout_to_ridge_weights(w_dropout, p):
    """The weights of the classically regularised problem equivalent to dropout.

    w_dropout: (d,), weights learnt with dropout, keep probability p.  p: float in (0, 1].
    Returns p * w_dropout, (d,).
    """
    raise NotImplementedError


def dropout_equivalent_gamma(X, p):
    """The diagonal Tikhonov matrix of the ridge problem equivalent to dropout.

    X: (n, d), one example per row.  p: float in (0, 1), the keep probability.
    Returns Gamma (d, d), diagonal, Gamma[j, j] = sqrt((1 - p) / p) * ||X[:, j]||.
    """
    raise NotImplementedError


def ridge_data_matrix(X, Gamma):
    """The data matrix X Gamma^-1 for which the problem becomes classical ridge regression.

    X: (n, d).  Gamma: (d, d), invertible. Returns (n, d).
    """
    raise NotImplementedError
