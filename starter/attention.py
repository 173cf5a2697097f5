"""Hard (argmax) attention and scaled dot-product (softmax) attention.

Never modify the arguments you are given.
"""

import numpy as np


def argmax_attention(q, K, V):
    """Hard attention: the row of V whose key has the largest inner product with q.

    q: (d,).  K: (n, d), one key per row.  V: (n, dv), one value per row.
    On a tie, the lowest index wins. Returns (dv,).
    """
    raise NotImplementedError


def argmax_attention_backward(dout, q, K, V):
    """Gradient of <dout, argmax_attention(q, K, V)> where it exists (no ties).

    dout: (dv,).  q, K, V: as in argmax_attention.
    Returns (dq, dK, dV), shaped like q, K, V.
    """
    raise NotImplementedError


def softmax_attention(Q, K, V):
    """Scaled dot-product attention: softmax(Q K^T / sqrt(d)) V, softmax over the keys.

    Q: (m, d).  K: (n, d).  V: (n, dv). Returns (m, dv).
    Must stay finite for scores Q K^T / sqrt(d) up to 1e4 in size.
    """
    raise NotImplementedError


def softmax_attention_backward(dout, Q, K, V):
    """Gradients of softmax_attention.

    dout: (m, dv), the upstream gradient dL/d(output).  Q, K, V: as in softmax_attention.
    Returns (dQ, dK, dV), shaped like Q, K, V.
    """
    raise NotImplementedError
