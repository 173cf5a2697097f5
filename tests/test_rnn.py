"""Hidden tests for rnn.py: the reference on seeded random sequences, including one-step sequences."""
import numpy as np

from autograder.testkit import match_reference_on, student_file
from reference import rnn as ref

rnn = student_file("rnn.py")

# (w, T) of the scalar RNN: a single step, |w| < 1 and |w| > 1, a negative w.
SCALAR_CASES = [(0.7, 1), (-1.2, 4), (0.9, 9), (1.3, 6)]


def scalar_cases(seed, h0=True):
    """Seeded (case, w, u, h0) for every (w, T); h0 is a random float, or left at its default if h0 is False."""
    rng = np.random.default_rng(seed)
    for w, T in SCALAR_CASES:
        u, start = rng.normal(size=T), float(rng.normal())
        if h0:
            yield f"w={w}, T={T}, h0={start:.3f}", w, u, start
        else:
            yield f"w={w}, T={T}, default h0", w, u, None


def call_args(w, u, h0):
    return (w, u) if h0 is None else (w, u, h0)


@rnn.grades("scalar_rnn_forward")
def test_scalar_rnn_forward_matches_the_reference():
    """scalar_rnn_forward: h_1 ... h_T for several w and T, from the default h0 = 0"""
    match_reference_on(rnn.scalar_rnn_forward, ref.scalar_rnn_forward,
                       [(case, call_args(w, u, h0)) for case, w, u, h0 in scalar_cases(401, h0=False)], name="hs")


@rnn.grades("scalar_rnn_forward")
def test_scalar_rnn_forward_starts_from_the_given_h0():
    """scalar_rnn_forward: h_1 ... h_T from a nonzero initial state h0"""
    match_reference_on(rnn.scalar_rnn_forward, ref.scalar_rnn_forward,
                       [(case, (w, u, h0)) for case, w, u, h0 in scalar_cases(402)], name="hs")


@rnn.grades("scalar_rnn_grad")
def test_scalar_rnn_grad_matches_the_reference():
    """scalar_rnn_grad: dy/dw through every time step, for several w and T, from h0 = 0 and from h0 != 0"""
    match_reference_on(rnn.scalar_rnn_grad, ref.scalar_rnn_grad,
                       [(case, call_args(w, u, start)) for h0 in (False, True)
                        for case, w, u, start in scalar_cases(403 + h0, h0=h0) if len(u) > 1], name="dy/dw")


@rnn.grades("scalar_rnn_grad")
def test_scalar_rnn_grad_of_a_single_step():
    """scalar_rnn_grad: a sequence of one step, where dy/dw = u_1 + h0"""
    match_reference_on(rnn.scalar_rnn_grad, ref.scalar_rnn_grad,
                       [one for case, w, u, h0 in scalar_cases(405) if len(u) == 1
                        for one in ((case, (w, u, h0)), (f"w={w}, T=1, default h0", (w, u)))], name="dy/dw")


@rnn.grades("scalar_rnn_edge_grads")
def test_scalar_rnn_edge_grads_matches_the_reference():
    """scalar_rnn_edge_grads: one contribution per use of w, first step first, for several w, T and h0"""
    match_reference_on(rnn.scalar_rnn_edge_grads, ref.scalar_rnn_edge_grads,
                       [(case, call_args(w, u, start)) for h0 in (False, True)
                        for case, w, u, start in scalar_cases(406 + h0, h0=h0)], name="edge gradients")


# (T, D, H) of the vanilla RNNs: one step of one unit, more units than inputs, fewer, and longer.
RNN_SHAPES = [(1, 1, 1), (4, 3, 5), (6, 2, 3), (3, 5, 2)]


def rnn_cases(seed, shapes=RNN_SHAPES):
    """Seeded (case, dhs, (xs, h0, Wx, Wh, b)); weights of size 0.5 so that tanh is not saturated."""
    rng = np.random.default_rng(seed)
    for T, D, H in shapes:
        args = (rng.normal(size=(T, D)), rng.normal(size=H), 0.5 * rng.normal(size=(H, D)),
                0.5 * rng.normal(size=(H, H)), 0.5 * rng.normal(size=H))
        yield f"T={T} steps, D={D}, H={H}", rng.normal(size=(T, H)), args


@rnn.grades("rnn_forward")
def test_rnn_forward_matches_the_reference():
    """rnn_forward: the states h_1 ... h_T for several sequence lengths and sizes"""
    match_reference_on(rnn.rnn_forward, ref.rnn_forward, [(case, args) for case, _, args in rnn_cases(408)],
                       name="hs")


@rnn.grades("rnn_backward")
def test_rnn_backward_matches_the_reference_with_gradients_on_every_state():
    """rnn_backward: gradients through every time step when the loss depends on every h_t"""
    match_reference_on(rnn.rnn_backward, ref.rnn_backward,
                       [(case, (dhs, *args)) for case, dhs, args in rnn_cases(409, RNN_SHAPES[1:])])


@rnn.grades("rnn_backward")
def test_rnn_backward_when_only_the_last_state_has_a_gradient():
    """rnn_backward: dhs is zero except at the last step, so every gradient flows back through time"""
    cases = []
    for case, dhs, args in rnn_cases(410, RNN_SHAPES[1:]):
        dhs[:-1] = 0.0
        cases.append((f"{case}, dhs[:-1] == 0", (dhs, *args)))
    match_reference_on(rnn.rnn_backward, ref.rnn_backward, cases)


@rnn.grades("rnn_backward")
def test_rnn_backward_of_a_single_step():
    """rnn_backward: a sequence of one time step (T = 1)"""
    match_reference_on(rnn.rnn_backward, ref.rnn_backward,
                       [(case, (dhs, *args)) for case, dhs, args in rnn_cases(411, [(1, 1, 1), (1, 3, 4)])])
