"""Hard (argmax) attention and scaled dot-product (softmax) attention.

Never modify the arguments you are given.
"""
import numpy as np


def argmax_attention(q, K, V):
    """Hard attention: the row of V whose key has the largest inner product with q.

    q: (d,).  K: (n, d), one key per row.  V: (n, dv), one value per row.
    On a tie, the lowest index wins. Returns (dv,).
    """
    return np.array(V[np.argmax(K @ q)], dtype=np.float64)


def argmax_attention_backward(dout, q, K, V):
    """Gradient of <dout, argmax_attention(q, K, V)> where it exists (no ties).

    dout: (dv,).  q, K, V: as in argmax_attention.
    Returns (dq, dK, dV), shaped like q, K, V.
    """
    dV = np.zeros_like(V, dtype=np.float64)
    dV[np.argmax(K @ q)] = dout
    return np.zeros_like(q, dtype=np.float64), np.zeros_like(K, dtype=np.float64), dV


def _softmax_rows(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)  # <= 0: exp cannot overflow
    with np.errstate(under="ignore"):  # weights that round to 0.0 are fine
        e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_attention(Q, K, V):
    """Scaled dot-product attention: softmax(Q K^T / sqrt(d)) V, softmax over the keys.

    Q: (m, d).  K: (n, d).  V: (n, dv). Returns (m, dv).
    Must stay finite for scores Q K^T / sqrt(d) up to 1e4 in size.
    """
    weights = _softmax_rows(Q @ K.T / np.sqrt(Q.shape[1]))
    return weights @ V


def softmax_attention_backward(dout, Q, K, V):
    """Gradients of softmax_attention.

    dout: (m, dv), the upstream gradient dL/d(output).  Q, K, V: as in softmax_attention.
    Returns (dQ, dK, dV), shaped like Q, K, V.
    """
    scale = 1.0 / np.sqrt(Q.shape[1])
    weights = _softmax_rows(Q @ K.T * scale)  # (m, n)
    dweights = dout @ V.T  # (m, n)
    dscores = weights * (dweights - (dweights * weights).sum(axis=1, keepdims=True))
    return dscores @ K * scale, dscores.T @ Q * scale, weights.T @ dout
