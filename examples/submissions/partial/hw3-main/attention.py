"""Hard (argmax) and softmax attention (vectorised numpy style)."""
import numpy as np


def _argmax_index(q, K):
    return int(np.argmax(K @ q))          # np.argmax returns the first maximum


def argmax_attention(q, K, V):
    return V[_argmax_index(q, K)].copy()


def argmax_attention_backward(dout, q, K, V):
    dV = np.zeros_like(V, dtype=float)
    dV[_argmax_index(q, K)] = dout
    return np.zeros_like(q, dtype=float), np.zeros_like(K, dtype=float), dV


def _softmax_rows(S):
    S = S - S.max(axis=1, keepdims=True)
    E = np.exp(S)
    return E / E.sum(axis=1, keepdims=True)


def softmax_attention(Q, K, V):
    P = _softmax_rows(Q @ K.T / np.sqrt(Q.shape[1]))
    return P @ V


def softmax_attention_backward(dout, Q, K, V):
    scale = 1.0 / np.sqrt(Q.shape[1])
    P = _softmax_rows(Q @ K.T * scale)
    dV = P.T @ dout
    dP = dout @ V.T
    dS = P * (dP - np.einsum("ij,ij->i", dP, P)[:, None])
    return dS @ K * scale, dS.T @ Q * scale, dV
