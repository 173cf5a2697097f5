"""rnn -- forward-mode differentiation for the scalar RNN, a helper class for the cell,
lists/tuples/numpy scalars as return values."""
import math

import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    out, h = [], float(h0)
    for ut in u:
        h = w * (ut + h)
        out.append(h)
    return out


def scalar_rnn_grad(w, u, h0=0.0):
    # forward-mode: carry (h_t, dh_t/dw) along; dh_t/dw = (u_t + h_{t-1}) + w * dh_{t-1}/dw
    h, dh = float(h0), 0.0
    for ut in u:
        h, dh = w * (ut + h), (ut + h) + w * dh
    return np.float64(dh)


def scalar_rnn_edge_grads(w, u, h0=0.0):
    hs = [float(h0)] + scalar_rnn_forward(w, u, h0)
    T = len(u)
    return tuple((u[t] + hs[t]) * math.pow(w, T - 1 - t) for t in range(T))


class RNNCell:
    def __init__(self, Wx, Wh, b):
        self.Wx, self.Wh, self.b = Wx, Wh, b

    def __call__(self, x, h):
        return np.tanh(self.Wx.dot(x) + self.Wh.dot(h) + self.b)


def rnn_forward(xs, h0, Wx, Wh, b):
    cell = RNNCell(Wx, Wh, b)
    hs = []
    h = h0
    for x in xs:
        h = cell(x, h)
        hs.append(h.tolist())
    return hs


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    hs = np.array(rnn_forward(xs, h0, Wx, Wh, b)).reshape(len(xs), len(h0))
    prevs = np.concatenate([h0.reshape(1, -1), hs[:-1]], axis=0)
    grads = {"xs": np.zeros_like(xs), "h0": None, "Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh),
             "b": np.zeros_like(b), "hs": hs}
    dh = np.zeros(len(h0))
    t = len(xs)
    while t > 0:
        t -= 1
        dpre = (dh + dhs[t]) * (1 - hs[t] ** 2)
        grads["xs"][t] = dpre.dot(Wx)
        grads["Wx"] = grads["Wx"] + np.outer(dpre, xs[t])
        grads["Wh"] = grads["Wh"] + np.outer(dpre, prevs[t])
        grads["b"] = grads["b"] + dpre
        dh = dpre.dot(Wh)
    grads["h0"] = list(dh)
    return grads


if __name__ == "__main__":
    print(scalar_rnn_grad(0.5, [2.0, 3.0, 5.0]), scalar_rnn_edge_grads(0.5, [2.0, 3.0, 5.0]))
