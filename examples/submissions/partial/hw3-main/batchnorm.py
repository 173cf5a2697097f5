"""Batch normalisation (vectorised numpy style)."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = gamma * inv_std * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    return dx, dgamma, dbeta


def demean_forward(x, gamma, beta):
    mu = x.mean(axis=0)
    return gamma * (x - mu) + beta


def demean_backward(dout, gamma):
    return gamma * (dout - dout.mean(axis=0))
