"""attention -- sorted() for the argmax, logsumexp by hand, tuples and lists out."""
import numpy as np


def _pick(q, K):
    scores = [float(np.dot(k, q)) for k in K]
    # sort by (-score, index): the first one is the largest score, lowest index on ties
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[0]


def argmax_attention(q, K, V):
    return list(V[_pick(q, K)])


def argmax_attention_backward(dout, q, K, V):
    i = _pick(q, K)
    dV = [[0.0] * V.shape[1] for _ in range(V.shape[0])]
    dV[i] = [float(v) for v in dout]
    return [[0.0] * len(q), np.zeros(K.shape).tolist(), dV]


def _probs(Q, K):
    S = np.einsum("md,nd->mn", Q, K) / np.sqrt(K.shape[1])
    m = S.max(axis=-1, keepdims=True)
    logZ = m + np.log(np.exp(S - m).sum(axis=-1, keepdims=True))
    return np.exp(S - logZ)


def softmax_attention(Q, K, V):
    return tuple(tuple(row) for row in _probs(Q, K) @ V)


def softmax_attention_backward(dout, Q, K, V):
    P = _probs(Q, K)
    dP = np.einsum("mv,nv->mn", dout, V)
    dS = P * dP - P * (P * dP).sum(axis=-1, keepdims=True)
    dS /= np.sqrt(K.shape[1])
    return (np.einsum("mn,nd->md", dS, K).tolist(), np.einsum("mn,md->nd", dS, Q), list(P.T @ dout))


if __name__ == "__main__":
    K = np.array([[1.0, 2, 0], [0, 3, 4], [5, 0, 0], [0, 0, 1]])
    V = np.array([[2.0, 0, 1], [1, 4, 3], [0, -1, 4], [1, 0, -1]])
    print(argmax_attention(np.array([1.0, 1, 2]), K, V))
