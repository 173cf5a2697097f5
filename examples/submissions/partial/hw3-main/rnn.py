"""Recurrent networks and backpropagation through time (vectorised numpy style)."""
import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    u = np.asarray(u, dtype=float)
    T = u.shape[0]
    # h_t = sum_{s<=t} w^(t-s+1) u_s + w^t h0, written as a lower-triangular matrix product.
    t = np.arange(1, T + 1)
    expo = t[:, None] - t[None, :] + 1
    M = np.where(expo >= 1, float(w) ** np.maximum(expo, 0), 0.0)
    return M @ u + float(w) ** t * h0


def _prev_states(w, u, h0):
    hs = scalar_rnn_forward(w, u, h0)
    return np.concatenate(([h0], hs[:-1]))


def scalar_rnn_edge_grads(w, u, h0=0.0):
    u = np.asarray(u, dtype=float)
    T = u.shape[0]
    dh = float(w) ** np.arange(T - 1, -1, -1)        # dy/dh_t = w^(T-t)
    return (u + _prev_states(w, u, h0)) * dh


def scalar_rnn_grad(w, u, h0=0.0):
    return float(np.sum(scalar_rnn_edge_grads(w, u, h0)))


def rnn_forward(xs, h0, Wx, Wh, b):
    T = xs.shape[0]
    hs = np.empty((T, h0.shape[0]))
    xw = xs @ Wx.T + b                                  # input part for all steps at once
    h = h0
    for t in range(T):
        h = np.tanh(xw[t] + Wh @ h)
        hs[t] = h
    return hs


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    hs = rnn_forward(xs, h0, Wx, Wh, b)
    prev = np.vstack([h0[None, :], hs[:-1]])
    T = xs.shape[0]
    da = np.empty_like(hs)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        da[t] = dhs[t] * (1.0 - hs[t] ** 2)
        carry = Wh.T @ da[t]
    return {"xs": da @ Wx, "h0": carry, "Wx": da.T @ xs,
            "Wh": np.einsum("ti,tj->ij", da, prev), "b": da.sum(axis=0)}
