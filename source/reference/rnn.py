"""Recurrent networks and backpropagation through time.

Never modify the arguments you are given.
"""
import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    """The one-dimensional linear RNN h_t = w * (u_t + h_{t-1}).

    w: float.  u: (T,), the inputs u_1 ... u_T.  h0: float, the initial state.
    Returns the hidden states h_1 ... h_T, shape (T,).
    """
    hs = np.empty(len(u), dtype=np.float64)
    h = float(h0)
    for t, u_t in enumerate(u):
        h = w * (u_t + h)
        hs[t] = h
    return hs


def scalar_rnn_edge_grads(w, u, h0=0.0):
    """The contribution of each use of w to dy/dw, where y = h_T.

    Entry t (time step t, first step first) is (u_t + h_{t-1}) * dy/dh_t; the
    entries sum to scalar_rnn_grad(w, u, h0).

    w: float.  u: (T,).  h0: float. Returns (T,).
    """
    hs = scalar_rnn_forward(w, u, h0)
    inputs = np.asarray(u, dtype=np.float64) + np.concatenate(([float(h0)], hs))[:-1]
    # dy/dh_t = w ** (T - t): each later step multiplies h_t by w once more.
    dy_dh = float(w) ** np.arange(len(u) - 1, -1, -1)
    return inputs * dy_dh


def scalar_rnn_grad(w, u, h0=0.0):
    """dy/dw for y = h_T of scalar_rnn_forward, by backpropagation through time.

    w: float.  u: (T,).  h0: float. Returns a float.
    """
    return float(scalar_rnn_edge_grads(w, u, h0).sum())


def rnn_forward(xs, h0, Wx, Wh, b):
    """A vanilla RNN: h_t = tanh(Wx x_t + Wh h_{t-1} + b).

    xs: (T, D), the inputs x_1 ... x_T.  h0: (H,).  Wx: (H, D).  Wh: (H, H).  b: (H,).
    Returns hs of shape (T, H), the states h_1 ... h_T.
    """
    hs = np.empty((xs.shape[0], h0.shape[0]), dtype=np.float64)
    x_part = xs @ Wx.T + b  # the input terms of every step at once
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(x_part[t] + Wh @ h)
        hs[t] = h
    return hs


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    """Gradients of a loss that may depend on every state of rnn_forward.

    dhs: (T, H), dhs[t] is the upstream gradient dL/dh_t acting on h_t directly.
    xs, h0, Wx, Wh, b: as in rnn_forward.
    Returns a dict {"xs", "h0", "Wx", "Wh", "b"} of dL/d(argument), each shaped
    like its argument.
    """
    hs = rnn_forward(xs, h0, Wx, Wh, b)
    h_prev = np.vstack([h0[None, :], hs])[:-1]  # (T, H): h_{t-1} for every t
    dpre = np.empty_like(hs)  # dL/d(pre-activation) at every step
    dh_next = np.zeros_like(h0, dtype=np.float64)  # dL/dh_t through h_{t+1}
    for t in range(hs.shape[0] - 1, -1, -1):
        dpre[t] = (dhs[t] + dh_next) * (1.0 - hs[t] ** 2)
        dh_next = Wh.T @ dpre[t]
    return {
        "xs": dpre @ Wx,
        "h0": dh_next,
        "Wx": dpre.T @ xs,
        "Wh": dpre.T @ h_prev,
        "b": dpre.sum(axis=0),
    }
