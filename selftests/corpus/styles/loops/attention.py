"""Hard (argmax) and softmax attention -- explicit loops over queries and keys."""
import math

import numpy as np


def _best(q, K):
    best, best_score = 0, None
    for i in range(K.shape[0]):
        s = 0.0
        for j in range(len(q)):
            s += q[j] * K[i, j]
        if best_score is None or s > best_score:      # strict: keeps the lowest index on ties
            best, best_score = i, s
    return best


def argmax_attention(q, K, V):
    i = _best(q, K)
    return np.array([V[i, c] for c in range(V.shape[1])])


def argmax_attention_backward(dout, q, K, V):
    i = _best(q, K)
    dV = np.zeros(V.shape)
    for c in range(V.shape[1]):
        dV[i, c] = dout[c]
    return np.zeros(len(q)), np.zeros(K.shape), dV


def _weights(Q, K):
    m, d = Q.shape
    n = K.shape[0]
    scale = math.sqrt(d)
    P = np.zeros((m, n))
    for r in range(m):
        scores = [sum(Q[r, j] * K[i, j] for j in range(d)) / scale for i in range(n)]
        top = max(scores)
        ex = [math.exp(s - top) for s in scores]
        tot = sum(ex)
        for i in range(n):
            P[r, i] = ex[i] / tot
    return P


def softmax_attention(Q, K, V):
    P = _weights(Q, K)
    m, n = P.shape
    dv = V.shape[1]
    out = np.zeros((m, dv))
    for r in range(m):
        for c in range(dv):
            for i in range(n):
                out[r, c] += P[r, i] * V[i, c]
    return out


def softmax_attention_backward(dout, Q, K, V):
    m, d = Q.shape
    n, dv = V.shape
    scale = math.sqrt(d)
    P = _weights(Q, K)
    dQ = np.zeros((m, d))
    dK = np.zeros((n, d))
    dV = np.zeros((n, dv))
    for r in range(m):
        dP = [sum(dout[r, c] * V[i, c] for c in range(dv)) for i in range(n)]
        inner = sum(P[r, i] * dP[i] for i in range(n))
        for i in range(n):
            for c in range(dv):
                dV[i, c] += P[r, i] * dout[r, c]
            dS = P[r, i] * (dP[i] - inner)
            for j in range(d):
                dQ[r, j] += dS * K[i, j] / scale
                dK[i, j] += dS * Q[r, j] / scale
    return dQ, dK, dV
