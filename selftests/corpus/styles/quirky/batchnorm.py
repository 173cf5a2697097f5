"""batchnorm -- returns nested lists; an extra keyword argument nobody asked for."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5, verbose=False):
    mean = np.mean(x, axis=0, keepdims=True)
    std = np.sqrt(np.mean(np.square(x - mean), axis=0, keepdims=True) + eps)
    out = (x - mean) / std * gamma + beta
    if verbose:
        print("batchnorm_forward", out.shape)
    return out.tolist()


def batchnorm_backward(dout, x, gamma, eps=1e-5, verbose=False):
    N = len(x)
    mean = x.sum(0) / N
    var = ((x - mean) ** 2).sum(0) / N
    istd = (var + eps) ** -0.5
    xhat = (x - mean) * istd
    dbeta = dout.sum(0)
    dgamma = np.einsum("nd,nd->d", dout, xhat)
    dx = (gamma * istd / N) * (N * dout - dbeta - xhat * dgamma)
    if verbose:
        print("dgamma", dgamma)
    return [dx.tolist(), tuple(dgamma), dbeta]


def demean_forward(x, gamma, beta):
    centred = x - np.mean(x, axis=0, keepdims=True)
    return np.add(np.multiply(centred, gamma), beta).tolist()


def demean_backward(dout, gamma):
    return (gamma * dout - gamma * np.mean(dout, axis=0, keepdims=True)).tolist()


if __name__ == "__main__":
    print(batchnorm_forward(np.array([[1.0], [7.0], [7.0], [9.0]]), np.ones(1), np.zeros(1), eps=0.0))
