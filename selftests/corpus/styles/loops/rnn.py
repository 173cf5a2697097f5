"""Recurrent networks and backpropagation through time -- explicit loops over time and units."""
import math

import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    hs = np.zeros(len(u))
    h = h0
    for t in range(len(u)):
        h = w * (u[t] + h)
        hs[t] = h
    return hs


def scalar_rnn_grad(w, u, h0=0.0):
    hs = scalar_rnn_forward(w, u, h0)
    T = len(u)
    dw = 0.0
    dh = 1.0                                   # dy/dh_T
    for t in range(T - 1, -1, -1):
        prev = hs[t - 1] if t > 0 else h0
        dw += (u[t] + prev) * dh
        dh = dh * w                            # dy/dh_{t-1}
    return dw


def scalar_rnn_edge_grads(w, u, h0=0.0):
    hs = scalar_rnn_forward(w, u, h0)
    T = len(u)
    out = np.zeros(T)
    dh = 1.0
    for t in range(T - 1, -1, -1):
        prev = hs[t - 1] if t > 0 else h0
        out[t] = (u[t] + prev) * dh
        dh = dh * w
    return out


def rnn_forward(xs, h0, Wx, Wh, b):
    T, D = xs.shape
    H = len(h0)
    hs = np.zeros((T, H))
    prev = [float(v) for v in h0]
    for t in range(T):
        for i in range(H):
            a = b[i]
            for j in range(D):
                a += Wx[i, j] * xs[t, j]
            for j in range(H):
                a += Wh[i, j] * prev[j]
            hs[t, i] = math.tanh(a)
        prev = [hs[t, i] for i in range(H)]
    return hs


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    T, D = xs.shape
    H = len(h0)
    hs = rnn_forward(xs, h0, Wx, Wh, b)
    dxs = np.zeros((T, D))
    dWx = np.zeros((H, D))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_next = np.zeros(H)                      # gradient reaching h_t from step t+1
    for t in range(T - 1, -1, -1):
        prev = hs[t - 1] if t > 0 else h0
        da = np.zeros(H)
        for i in range(H):
            da[i] = (dhs[t, i] + dh_next[i]) * (1.0 - hs[t, i] ** 2)
            db[i] += da[i]
            for j in range(D):
                dWx[i, j] += da[i] * xs[t, j]
                dxs[t, j] += Wx[i, j] * da[i]
            for j in range(H):
                dWh[i, j] += da[i] * prev[j]
        dh_next = np.zeros(H)
        for j in range(H):
            for i in range(H):
                dh_next[j] += Wh[i, j] * da[i]
    return {"xs": dxs, "h0": dh_next, "Wx": dWx, "Wh": dWh, "b": db}
