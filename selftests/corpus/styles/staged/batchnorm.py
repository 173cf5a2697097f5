"""Batch normalisation, backward pass as the staged computational graph (one node per line)."""
import numpy as np


def _forward_graph(x, gamma, beta, eps):
    N = x.shape[0]
    mu = np.sum(x, axis=0) / N
    xmu = x - mu
    sq = xmu ** 2
    var = np.sum(sq, axis=0) / N
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    gammax = gamma * xhat
    out = gammax + beta
    cache = (xhat, gamma, xmu, ivar, sqrtvar, var, eps)
    return out, cache


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    return _forward_graph(x, gamma, beta, eps)[0]


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    _, (xhat, gamma, xmu, ivar, sqrtvar, var, eps) = _forward_graph(x, gamma, np.zeros_like(gamma), eps)
    N, D = dout.shape
    dbeta = np.sum(dout, axis=0)
    dgammax = dout
    dgamma = np.sum(dgammax * xhat, axis=0)
    dxhat = dgammax * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
    dvar = 0.5 * 1.0 / np.sqrt(var + eps) * dsqrtvar
    dsq = 1.0 / N * np.ones((N, D)) * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -1 * np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = 1.0 / N * np.ones((N, D)) * dmu
    dx = dx1 + dx2
    return dx, dgamma, dbeta


def demean_forward(x, gamma, beta):
    N = x.shape[0]
    mu = np.sum(x, axis=0) / N
    xmu = x - mu
    return gamma * xmu + beta


def demean_backward(dout, gamma):
    N = dout.shape[0]
    dxmu = dout * gamma
    dmu = -np.sum(dxmu, axis=0)
    return dxmu + dmu / N
