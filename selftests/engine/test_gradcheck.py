"""gradient_check, elementwise_check, jacobian_check: a backward pass against finite differences of a forward."""
import numpy as np
import pytest

from autograder import failures, student
from autograder.checks import Mismatch
from autograder.gradcheck import elementwise_check, gradient_check, jacobian_check
from reference import attention, batchnorm, rnn


pytestmark = pytest.mark.usefixtures("fresh_test_context")


def called(name, function):
    """`function`, recorded as the latest call into student code named `name`, as a proxy would."""
    def call(*args, **kwargs):
        student.SESSION.test.last_call = (name, args, kwargs)
        result = function(*args, **kwargs)
        student.SESSION.test.last_result = result
        return result
    return call


def batch(seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(3, 2)), rng.normal(1.0, 0.5, 2), rng.normal(size=2), rng.normal(size=(3, 2))


NAMES = {"dx": "x", "dgamma": "gamma", "dbeta": "beta"}


def check_batchnorm(backward, forward=batchnorm.batchnorm_forward):
    x, gamma, beta, dout = batch()
    grads = called("batchnorm_backward", backward)(dout, x, gamma, eps=0.1)
    forward = called("batchnorm_forward", forward)
    gradient_check(grads, lambda x, gamma, beta: forward(x, gamma, beta, eps=0.1),
                   at={"x": x, "gamma": gamma, "beta": beta}, upstream=dout, names=NAMES)


def failure_of(run, *args, **kwargs):
    with pytest.raises(failures.StudentFailure) as error:
        run(*args, **kwargs)
    return error.value


def missing_variance_path(dout, x, gamma, eps=1e-5):
    _, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
    return gamma * (dout - dout.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


def test_a_correct_backward_agrees_with_finite_differences_of_its_forward():
    check_batchnorm(batchnorm.batchnorm_backward)


def test_a_correct_backward_of_a_longer_computation_agrees_too():
    rng = np.random.default_rng(2)
    xs, h0, Wx, Wh, b, dhs = (rng.normal(size=(4, 3)), rng.normal(size=2), rng.normal(size=(2, 3)),
                              rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(4, 2)))
    grads = called("rnn_backward", rnn.rnn_backward)(dhs, xs, h0, Wx, Wh, b)
    gradient_check(grads, called("rnn_forward", rnn.rnn_forward),
                   at={"xs": xs, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}, upstream=dhs)


def test_a_missing_term_names_the_gradient_and_counts_its_wrong_entries():
    error = failure_of(check_batchnorm, missing_variance_path)
    text = error.render(False)
    assert "batchnorm_backward(array of shape (3, 2)" in text
    assert "disagrees with central finite differences of your batchnorm_forward:" in text
    assert "`dx` disagrees with the finite differences in 6 of 6 entries" in text and "The first is dx[0, 0]." in text
    assert "`dgamma`" not in text and "`dbeta`" not in text


def test_the_gradients_that_agree_earn_their_share():
    assert failure_of(check_batchnorm, missing_variance_path).fraction == pytest.approx(2 / 3)


def test_visible_feedback_shows_both_values_and_hidden_feedback_neither():
    error = failure_of(check_batchnorm, missing_variance_path)
    visible, hidden = error.render(True), error.render(False)
    assert "the finite difference is" in visible and "Finite differences dx = [[" in visible
    assert "the finite difference is" not in hidden and "Finite differences dx" not in hidden


def test_the_allowance_is_stated_in_terms_of_the_finite_differences():
    visible = failure_of(check_batchnorm, missing_variance_path).render(True)
    assert "allowed error 1e-05 x |finite difference| + " in visible
    assert "the largest |value| among all the finite differences)" in visible


def test_a_forward_that_disagrees_with_a_correct_backward_fails_too():
    """A bug in the forward pass shows up here as well: the two must agree."""
    def unbiased(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta
    error = failure_of(check_batchnorm, batchnorm.batchnorm_backward, unbiased)
    assert "`dx` disagrees" in error.render(False)


def test_a_gradient_of_the_wrong_shape_says_which_shape_and_the_others_are_still_checked():
    def keepdims(dout, x, gamma, eps=1e-5):
        dx, dgamma, dbeta = batchnorm.batchnorm_backward(dout, x, gamma, eps)
        return dx, dgamma[None, :], dbeta
    error = failure_of(check_batchnorm, keepdims)
    text = error.render(False)
    assert "`dgamma` has shape (1, 2) but should have shape (2,)." in text
    assert "here `gamma`" in text and "`dx`" not in text
    assert error.fraction == pytest.approx(2 / 3)


def test_a_tuple_of_the_wrong_length_is_reported_as_such():
    error = failure_of(check_batchnorm, lambda dout, x, gamma, eps=1e-5: batchnorm.batchnorm_backward(
        dout, x, gamma, eps)[:2])
    assert "batchnorm_backward should return 3 gradients (dx, dgamma, dbeta), but it returned a tuple of 2 items." \
        in error.render(False)


def test_a_dict_without_a_gradient_names_the_missing_key():
    rng = np.random.default_rng(3)
    args = (rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=(2, 2)),
            rng.normal(size=2))
    dhs = rng.normal(size=(2, 2))
    grads = called("rnn_backward", rnn.rnn_backward)(dhs, *args)
    del grads["h0"]
    error = failure_of(gradient_check, grads, called("rnn_forward", rnn.rnn_forward),
                       at=dict(zip(("xs", "h0", "Wx", "Wh", "b"), args)), upstream=dhs)
    assert "The dict rnn_backward returned has no key 'h0'" in error.render(False)


def test_a_forward_output_of_the_wrong_shape_means_the_gradients_cannot_be_checked():
    error = failure_of(check_batchnorm, batchnorm.batchnorm_backward,
                       lambda x, gamma, beta, eps=1e-5: batchnorm.batchnorm_forward(x, gamma, beta, eps).T)
    assert ("The gradients of batchnorm_backward cannot be checked: your batchnorm_forward returned an array of shape "
            "(2, 3), but its output should have shape (3, 2).") in error.render(False)


def test_a_forward_that_fails_is_named_as_the_reason():
    def stub(x, gamma, beta, eps=1e-5):
        raise failures.NotAttempted("batchnorm.py", "batchnorm_forward")
    error = failure_of(check_batchnorm, batchnorm.batchnorm_backward, stub)
    assert error.render(False).startswith("To check the gradients of batchnorm_backward, the grader calls your "
                                          "batchnorm_forward, which failed: Not attempted")
    assert error.kind == "not attempted"


def test_a_scalar_gradient_of_a_scalar_input_is_checked():
    u = np.array([0.5, -1.0, 2.0])
    grad = called("scalar_rnn_grad", rnn.scalar_rnn_grad)(0.8, u, 0.3)
    gradient_check(grad, called("scalar_rnn_forward", lambda w: rnn.scalar_rnn_forward(w, u, 0.3)), at={"w": 0.8},
                   upstream=np.eye(3)[-1], names={"dy/dw": "w"})
    error = failure_of(gradient_check, grad + 1.0, lambda w: rnn.scalar_rnn_forward(w, u, 0.3), at={"w": 0.8},
                       upstream=np.eye(3)[-1], names={"dy/dw": "w"}, forward_name="h_T")
    assert "`dy/dw` disagrees with the finite differences (largest difference 1" in error.render(False)


def test_a_forward_written_as_a_formula_is_named_by_the_test():
    x = np.array([1.0, -2.0])
    error = failure_of(gradient_check, called("grad_norm_sq", lambda x: x)(x), lambda x: np.sum(x ** 2), at={"x": x},
                       names={"gradient": "x"}, forward_name="||x||^2")
    text = error.render(False)
    assert "grad_norm_sq(array of shape (2,)) disagrees with central finite differences of ||x||^2:" in text
    assert "Hint: all your values are off by the same factor" in text


def test_softmax_attention_backward_passes_and_a_missing_jacobian_term_fails():
    rng = np.random.default_rng(4)
    Q, K, V, dout = rng.normal(size=(2, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2))
    at, names = {"Q": Q, "K": K, "V": V}, {"dQ": "Q", "dK": "K", "dV": "V"}
    forward = called("softmax_attention", attention.softmax_attention)
    gradient_check(called("softmax_attention_backward", attention.softmax_attention_backward)(dout, Q, K, V),
                   lambda Q, K, V: forward(Q, K, V), at=at, upstream=dout, names=names)
    dQ, dK, dV = attention.softmax_attention_backward(dout, Q, K, V)
    error = failure_of(gradient_check, (2 * dQ, dK, dV), lambda Q, K, V: forward(Q, K, V), at=at, upstream=dout,
                       names=names)
    assert "`dQ` disagrees" in error.render(False) and error.fraction == pytest.approx(2 / 3)


def test_elementwise_derivatives_are_checked_from_two_calls():
    z = np.array([[-2.0, 0.5], [1.5, 3.0]])
    calls = []
    sigmoid = called("sigmoid", lambda v: calls.append(v) or 1.0 / (1.0 + np.exp(-v)))
    s = 1.0 / (1.0 + np.exp(-z))
    elementwise_check(s * (1 - s), sigmoid, z, name="sigmoid_grad(z)")
    assert len(calls) == 2
    error = failure_of(elementwise_check, z * (1 - z), sigmoid, z, name="sigmoid_grad(z)")
    assert "`sigmoid_grad(z)` disagrees with the finite differences in 4 of 4 entries" in error.render(False)
    assert "finite differences of your sigmoid" in error.render(False)


def test_a_transposed_jacobian_has_the_wrong_shape():
    A, x = np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 3.0])
    jacobian_check(A.T, lambda v: A.T @ v, x, name="J", forward_name="f(x) = A^T x")
    error = failure_of(jacobian_check, A, lambda v: A.T @ v, x, name="J", forward_name="f(x) = A^T x")
    assert "`J` has shape (3, 2) but should have shape (2, 3). It looks transposed." in error.render(False)


def test_a_known_mistake_is_named_in_a_gradient_check_and_its_id_recorded():
    error = failure_of(check_batchnorm, missing_variance_path)
    assert isinstance(error, Mismatch)
    assert error.misconceptions == ["batchnorm-missing-variance-path"]
    assert "This looks like a known mistake: dx misses the term through the variance" in error.render(False)
