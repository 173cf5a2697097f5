"""Batch normalisation and its simplified, de-meaning-only variant.

x is (N, D): N examples (the batch), D features. Statistics are taken per feature
over the batch, and the variance is the biased one (divide by N). gamma and beta
are (D,). Never modify the arguments you are given.
"""

import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Batch normalisation: gamma * (x - mean) / sqrt(var + eps) + beta.

    x: (N, D).  gamma, beta: (D,).  eps: float >= 0.
    Returns y of shape (N, D).
    """
    raise NotImplementedError


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    """Gradients of batch normalisation, recomputed from the inputs (no cache).

    dout: (N, D), the upstream gradient dL/dy of batchnorm_forward(x, gamma, beta, eps).
    x: (N, D).  gamma: (D,).  eps: float >= 0.
    Returns (dx, dgamma, dbeta): (N, D), (D,), (D,).
    """
    raise NotImplementedError


def demean_forward(x, gamma, beta):
    """The simplified layer that only de-means: gamma * (x - mean) + beta.

    x: (N, D).  gamma, beta: (D,). Returns (N, D).
    """
    raise NotImplementedError


def demean_backward(dout, gamma):
    """dL/dx for demean_forward, given the upstream gradient dout = dL/dy.

    dout: (N, D).  gamma: (D,). Returns (N, D).
    """
    raise NotImplementedError
