"""RNNs with an explicit forward cache and a step-by-step backward pass through time."""
import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    hs = []
    h = h0
    for u_t in u:
        pre = u_t + h
        h = w * pre
        hs.append(h)
    return np.array(hs, dtype=float)


def _scalar_cache(w, u, h0):
    hs = scalar_rnn_forward(w, u, h0)
    pres = np.asarray(u, dtype=float) + np.concatenate(([h0], hs[:-1]))   # (u_t + h_{t-1})
    return hs, pres


def scalar_rnn_edge_grads(w, u, h0=0.0):
    hs, pres = _scalar_cache(w, u, h0)
    T = len(hs)
    dh = np.empty(T)
    dh[T - 1] = 1.0
    for t in range(T - 2, -1, -1):
        dh[t] = dh[t + 1] * w           # h_{t+1} = w * (u_{t+1} + h_t)
    return pres * dh


def scalar_rnn_grad(w, u, h0=0.0):
    edges = scalar_rnn_edge_grads(w, u, h0)
    total = 0.0
    for e in edges[::-1]:
        total += e
    return total


def _forward_cache(xs, h0, Wx, Wh, b):
    cache = []
    h = h0
    for x_t in xs:
        zx = Wx @ x_t
        zh = Wh @ h
        a = zx + zh + b
        h_new = np.tanh(a)
        cache.append((x_t, h, h_new))
        h = h_new
    return cache


def rnn_forward(xs, h0, Wx, Wh, b):
    cache = _forward_cache(xs, h0, Wx, Wh, b)
    return np.array([c[2] for c in cache]).reshape(len(xs), len(h0))


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    cache = _forward_cache(xs, h0, Wx, Wh, b)
    dWx = np.zeros_like(Wx, dtype=float)
    dWh = np.zeros_like(Wh, dtype=float)
    db = np.zeros_like(b, dtype=float)
    dxs = np.zeros_like(xs, dtype=float)
    dh_from_future = np.zeros_like(h0, dtype=float)
    for t in range(len(cache) - 1, -1, -1):
        x_t, h_prev, h_t = cache[t]
        dh = dhs[t] + dh_from_future
        da = dh * (1.0 - h_t * h_t)
        db += da
        dzx = da
        dzh = da
        dWx += np.outer(dzx, x_t)
        dxs[t] = Wx.T @ dzx
        dWh += np.outer(dzh, h_prev)
        dh_from_future = Wh.T @ dzh
    return {"xs": dxs, "h0": dh_from_future, "Wx": dWx, "Wh": dWh, "b": db}
