"""Batch normalisation -- written with explicit loops over features and examples."""
import math

import numpy as np


def _stats(x, j):
    N = x.shape[0]
    mu = 0.0
    for i in range(N):
        mu += x[i, j]
    mu /= N
    var = 0.0
    for i in range(N):
        var += (x[i, j] - mu) ** 2
    var /= N
    return mu, var


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    N, D = x.shape
    out = np.zeros((N, D))
    for j in range(D):
        mu, var = _stats(x, j)
        std = math.sqrt(var + eps)
        for i in range(N):
            out[i, j] = gamma[j] * (x[i, j] - mu) / std + beta[j]
    return out


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    N, D = x.shape
    dx = np.zeros((N, D))
    dgamma = np.zeros(D)
    dbeta = np.zeros(D)
    for j in range(D):
        mu, var = _stats(x, j)
        std = math.sqrt(var + eps)
        xhat = [(x[i, j] - mu) / std for i in range(N)]
        sum_d = 0.0
        sum_dx = 0.0
        for i in range(N):
            sum_d += dout[i, j]
            sum_dx += dout[i, j] * xhat[i]
        dbeta[j] = sum_d
        dgamma[j] = sum_dx
        for i in range(N):
            dx[i, j] = gamma[j] / (N * std) * (N * dout[i, j] - sum_d - xhat[i] * sum_dx)
    return dx, dgamma, dbeta


def demean_forward(x, gamma, beta):
    N, D = x.shape
    out = np.zeros((N, D))
    for j in range(D):
        mu = sum(x[i, j] for i in range(N)) / N
        for i in range(N):
            out[i, j] = gamma[j] * (x[i, j] - mu) + beta[j]
    return out


def demean_backward(dout, gamma):
    N, D = dout.shape
    dx = np.zeros((N, D))
    for j in range(D):
        mean_d = sum(dout[i, j] for i in range(N)) / N
        for i in range(N):
            dx[i, j] = gamma[j] * (dout[i, j] - mean_d)
    return dx
