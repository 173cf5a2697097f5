"""Hidden tests for attention.py: the reference on seeded random inputs, ties, and scores of size 1e4."""
import numpy as np

from autograder.testkit import match_reference_on, student_file
from reference import attention as ref

att = student_file("attention.py")

# (n, d, dv) of hard attention: a single key, and keys of other sizes than their values.
ARGMAX_SHAPES = [(1, 2, 3), (5, 3, 2), (8, 4, 4)]


def argmax_cases(seed):
    """Seeded (case, q, K, V, dout); continuous random scores have no ties."""
    rng = np.random.default_rng(seed)
    for n, d, dv in ARGMAX_SHAPES:
        yield (f"n={n} keys, d={d}, dv={dv}", rng.normal(size=d), rng.normal(size=(n, d)), rng.normal(size=(n, dv)),
               rng.normal(size=dv))


@att.grades("argmax_attention")
def test_argmax_attention_matches_the_reference():
    """argmax_attention: the value of the best-scoring key, for random queries and keys"""
    match_reference_on(att.argmax_attention, ref.argmax_attention,
                       [(case, (q, K, V)) for case, q, K, V, _ in argmax_cases(501)], name="output")


@att.grades("argmax_attention")
def test_argmax_attention_breaks_ties_towards_the_lowest_index():
    """argmax_attention: when several keys share the largest score, the lowest index wins"""
    # Whole numbers, so every order of summation gives exactly the same scores.
    q = np.array([1.0, 2.0, -1.0])
    K = np.array([[0.0, 1.0, 0.0],    # score 2
                  [3.0, 1.0, 1.0],    # score 4: the first of the tied maxima
                  [1.0, 0.0, 2.0],    # score -1
                  [2.0, 1.0, 0.0],    # score 4
                  [0.0, 2.0, 0.0]])   # score 4
    V = np.array([[1.0, -2.0], [0.0, 3.0], [4.0, 1.0], [-1.0, 5.0], [2.0, 2.0]])
    q2 = np.array([1.0, 1.0])
    K2 = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, -3.0]])  # scores 2, 1, 2, -3
    match_reference_on(att.argmax_attention, ref.argmax_attention,
                       [("keys 1, 3 and 4 tied for the largest score", (q, K, V)),
                        ("keys 0 and 2 tied for the largest score", (q2, K2, V[:4]))], name="output")


@att.grades("argmax_attention_backward")
def test_argmax_attention_backward_matches_the_reference():
    """argmax_attention_backward: dq = 0, dK = 0, and dout in the selected row of dV, for random inputs"""
    match_reference_on(att.argmax_attention_backward, ref.argmax_attention_backward,
                       [(case, (dout, q, K, V)) for case, q, K, V, dout in argmax_cases(502)],
                       names=("dq", "dK", "dV"))


# (m, n, d, dv) of softmax attention: one query and one key, more queries than keys, fewer, an odd d.
SOFTMAX_SHAPES = [(1, 1, 2, 1), (4, 3, 4, 2), (2, 6, 3, 5), (5, 5, 8, 3)]


def softmax_cases(seed):
    rng = np.random.default_rng(seed)
    for m, n, d, dv in SOFTMAX_SHAPES:
        yield (f"m={m} queries, n={n} keys, d={d}, dv={dv}", rng.normal(size=(m, d)), rng.normal(size=(n, d)),
               rng.normal(size=(n, dv)), rng.normal(size=(m, dv)))


@att.grades("softmax_attention")
def test_softmax_attention_matches_the_reference():
    """softmax_attention: softmax(Q K^T / sqrt(d)) V for several numbers of queries and keys"""
    match_reference_on(att.softmax_attention, ref.softmax_attention,
                       [(case, (Q, K, V)) for case, Q, K, V, _ in softmax_cases(503)], name="output")


@att.grades("softmax_attention")
def test_softmax_attention_is_finite_for_scores_of_size_1e4():
    """softmax_attention: finite for scores Q K^T / sqrt(d) of size 1e4 (no overflow, no NaN)"""
    d = 4
    K = np.array([[1.0] * d, [0.5] * d, [-1.0] * d, [1.0] * d])  # keys 0 and 3 are equal
    V = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [-1.0, 0.0]])
    cases = []
    for sign in (1.0, -1.0):
        Q = np.full((2, d), sign * 5000.0)  # scaled scores sign * (1e4, 5e3, -1e4, 1e4)
        scores = ", ".join(f"{sign * s:g}" for s in (1e4, 5e3, -1e4, 1e4))
        cases.append((f"scaled scores ({scores}) for every query", (Q, K, V)))
    # Rows whose largest scores differ by 5e3: shifting every row by the largest score of the whole matrix
    # would underflow the second row's exps to 0 / 0.
    Q = np.array([[5000.0] * d, [-2500.0] * d])
    cases.append(("scaled scores (1e4, 5e3, -1e4, 1e4) for query 0 and (-5e3, -2.5e3, 5e3, -5e3) for query 1",
                  (Q, K, V)))
    match_reference_on(att.softmax_attention, ref.softmax_attention, cases, name="output")


@att.grades("softmax_attention_backward")
def test_softmax_attention_backward_matches_the_reference():
    """softmax_attention_backward: dQ, dK, dV for several numbers of queries and keys"""
    match_reference_on(att.softmax_attention_backward, ref.softmax_attention_backward,
                       [(case, (dout, Q, K, V)) for case, Q, K, V, dout in softmax_cases(504)],
                       names=("dQ", "dK", "dV"))
