"""Recurrent networks and backpropagation through time.

Never modify the arguments you are given.
"""

import numpy as np


def scalar_rnn_forward(w, u, h0=0.0):
    """The one-dimensional linear RNN h_t = w * (u_t + h_{t-1}).

    w: float.  u: (T,), the inputs u_1 ... u_T.  h0: float, the initial state.
    Returns the hidden states h_1 ... h_T, shape (T,).
    """
    raise NotImplementedError


def scalar_rnn_edge_grads(w, u, h0=0.0):
    """The contribution of each use of w to dy/dw, where y = h_T.

    Entry t (time step t, first step first) is (u_t + h_{t-1}) * dy/dh_t; the
    entries sum to scalar_rnn_grad(w, u, h0).

    w: float.  u: (T,).  h0: float. Returns (T,).
    """
    raise NotImplementedError


def scalar_rnn_grad(w, u, h0=0.0):
    """dy/dw for y = h_T of scalar_rnn_forward, by backpropagation through time.

    w: float.  u: (T,).  h0: float. Returns a float.
    """
    raise NotImplementedError


def rnn_forward(xs, h0, Wx, Wh, b):
    """A vanilla RNN: h_t = tanh(Wx x_t + Wh h_{t-1} + b).

    xs: (T, D), the inputs x_1 ... x_T.  h0: (H,).  Wx: (H, D).  Wh: (H, H).  b: (H,).
    Returns hs of shape (T, H), the states h_1 ... h_T.
    """
    raise NotImplementedError


def rnn_backward(dhs, xs, h0, Wx, Wh, b):
    """Gradients of a loss that may depend on every state of rnn_forward.

    dhs: (T, H), dhs[t] is the upstream gradient dL/dh_t acting on h_t directly.
    xs, h0, Wx, Wh, b: as in rnn_forward.
    Returns a dict {"xs", "h0", "Wx", "Wh", "b"} of dL/d(argument), each shaped
    like its argument.
    """
    raise NotImplementedError
