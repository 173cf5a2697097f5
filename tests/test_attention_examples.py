"""Visible tests for attention.py: the worked example of hard attention, small cases you can check by hand,
and the backward passes checked against finite differences of your forward passes.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, gradient_check, student_file

att = student_file("attention.py")

# The worked example: scores K q = (3, 11, 5, 2), so the second key wins.
KEYS = np.array([[1.0, 2.0, 0.0], [0.0, 3.0, 4.0], [5.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
VALUES = np.array([[2.0, 0.0, 1.0], [1.0, 4.0, 3.0], [0.0, -1.0, 4.0], [1.0, 0.0, -1.0]])
QUERY = np.array([1.0, 1.0, 2.0])


@att.grades("argmax_attention")
def test_argmax_attention_reproduces_the_worked_example():
    """argmax_attention: the worked example, q = (1, 1, 2) selects the value (1, 4, 3)"""
    check(att.argmax_attention(QUERY, KEYS, VALUES), np.array([1.0, 4.0, 3.0]), name="output")


@att.grades("argmax_attention_backward")
def test_argmax_attention_backward_on_the_worked_example():
    """argmax_attention_backward: the worked example with dout = (1, -2, 0.5): dout lands in row 1 of dV"""
    dout = np.array([1.0, -2.0, 0.5])
    expected_dV = np.zeros((4, 3))
    expected_dV[1] = dout
    check(att.argmax_attention_backward(dout, QUERY, KEYS, VALUES),
          (np.zeros(3), np.zeros((4, 3)), expected_dV), names=("dq", "dK", "dV"))


@att.grades("softmax_attention")
def test_softmax_attention_averages_the_values_when_all_scores_are_equal():
    """softmax_attention: with Q = 0 every key gets weight 1/n, so each output row is the mean of the values"""
    V = np.array([[1.0, -2.0], [3.0, 0.0], [2.0, 5.0]])
    K = np.array([[1.0, 0.0, 2.0, -1.0], [0.0, 3.0, 1.0, 1.0], [-2.0, 1.0, 0.0, 4.0]])
    check(att.softmax_attention(np.zeros((2, 4)), K, V), np.array([[2.0, 1.0], [2.0, 1.0]]), name="output")


@att.grades("softmax_attention")
def test_softmax_attention_weights_two_keys_by_the_scaled_scores():
    """softmax_attention: d = 4, scores q.k / sqrt(4) = (ln 3, 0), weights (3/4, 1/4)"""
    s = 2.0 * np.log(3.0)  # q . k1 = 2 ln 3, so the scaled score is ln 3
    Q = np.array([[s, 0.0, 0.0, 0.0]])
    K = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    V = np.array([[4.0, 0.0, 8.0], [0.0, 4.0, -4.0]])
    check(att.softmax_attention(Q, K, V), np.array([[3.0, 1.0, 5.0]]), name="output")


@att.grades("argmax_attention_backward")
def test_argmax_attention_backward_agrees_with_finite_differences_of_your_forward():
    """argmax_attention_backward: dq, dK, dV agree with finite differences of your argmax_attention (no tied scores)"""
    rng = np.random.default_rng(51)
    q, K, V, dout = rng.normal(size=2), rng.normal(size=(3, 2)), rng.normal(size=(3, 1)), rng.normal(size=1)
    grads = att.argmax_attention_backward(dout, q, K, V)
    gradient_check(grads, lambda q, K, V: att.argmax_attention(q, K, V), at={"q": q, "K": K, "V": V}, upstream=dout,
                   names={"dq": "q", "dK": "K", "dV": "V"})


@att.grades("softmax_attention_backward")
def test_softmax_attention_backward_agrees_with_finite_differences_of_your_forward():
    """softmax_attention_backward: dQ, dK, dV agree with finite differences of your softmax_attention (m=2, n=2, d=2, dv=1)"""
    rng = np.random.default_rng(52)
    Q, K, V, dout = rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 1)), rng.normal(size=(2, 1))
    grads = att.softmax_attention_backward(dout, Q, K, V)
    gradient_check(grads, lambda Q, K, V: att.softmax_attention(Q, K, V), at={"Q": Q, "K": K, "V": V}, upstream=dout,
                   names={"dQ": "Q", "dK": "K", "dV": "V"})
