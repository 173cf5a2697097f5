"""Visible tests for gradients.py: the recitation example, small cases you can check by hand, and every
gradient checked against finite differences of the function it is the gradient of.

Where you write the forward pass (sigmoid, mlp_relu_forward_backward's loss) the finite differences are
of your own function; elsewhere they are of the formula the assignment states, written out below.
Example files never import the reference: they ship as they are in the student kit.
"""
import math

import numpy as np

from autograder.testkit import check, elementwise_check, gradient_check, jacobian_check, student_file

gr = student_file("gradients.py")


@gr.grades("sigmoid")
def test_sigmoid_at_hand_checkable_points():
    """sigmoid: sigma(0) = 1/2, sigma(ln 3) = 3/4, sigma(-ln 3) = 1/4"""
    z = np.array([0.0, math.log(3.0), -math.log(3.0)])
    check(gr.sigmoid(z), np.array([0.5, 0.75, 0.25]), name="sigmoid(z)")


@gr.grades("sigmoid_grad", "relu_grad", "tanh_grad")
def test_activation_derivatives_at_hand_checkable_points():
    """sigmoid_grad, relu_grad, tanh_grad: sigma'(ln 3) = 3/16, relu'(0) = 0, tanh'(ln 2) = 16/25"""
    check(gr.sigmoid_grad(np.array([0.0, math.log(3.0)])), np.array([0.25, 0.1875]), name="sigmoid_grad(z)")
    check(gr.relu_grad(np.array([-2.0, 0.0, 3.0])), np.array([0.0, 0.0, 1.0]), name="relu_grad(z)")
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5, so 1 - tanh^2 = 16/25
    check(gr.tanh_grad(np.array([0.0, math.log(2.0)])), np.array([1.0, 0.64]), name="tanh_grad(z)")


@gr.grades("grad_norm_sq", "jacobian_linear", "grad_composed_x", "grad_composed_A")
def test_matrix_calculus_on_a_small_example():
    """grad_norm_sq, jacobian_linear, grad_composed_x, grad_composed_A: A = [[1,2,0],[0,1,-1]], x = (1,2)"""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])  # (d, n) = (2, 3)
    x = np.array([1.0, 2.0])  # A^T x = (1, 4, -2)
    check(gr.grad_norm_sq(x), np.array([2.0, 4.0]), name="grad_norm_sq(x)")
    check(gr.jacobian_linear(A, x), np.array([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]]), name="J")
    check(gr.grad_composed_x(A, x), np.array([18.0, 12.0]), name="grad_composed_x(A, x)")
    check(gr.grad_composed_A(A, x), np.array([[2.0, 8.0, -4.0], [4.0, 16.0, -8.0]]), name="grad_composed_A(A, x)")


@gr.grades("gd_update")
def test_gd_update_takes_one_step_on_a_small_example():
    """gd_update: params {w: (1, 2), c: 0.5}, grads {w: (10, -10), c: 1}, lr = 0.1"""
    params = {"w": np.array([1.0, 2.0]), "c": 0.5}
    grads = {"w": np.array([10.0, -10.0]), "c": 1.0}
    check(gr.gd_update(params, grads, 0.1), {"w": np.array([0.0, 3.0]), "c": 0.4})


@gr.grades("mlp_relu_forward_backward")
def test_mlp_relu_forward_backward_reproduces_the_recitation_example():
    """mlp_relu_forward_backward: the recitation example, x=(1,2), alpha=[[2,1,0],[0,2,0]], beta=(0,1,2), y=3"""
    out = gr.mlp_relu_forward_backward(np.array([1.0, 2.0]), np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0]]),
                                       np.array([0.0, 1.0, 2.0]), 3.0)
    check(out, {
        "a": np.array([3.0, 2.0]),
        "z": np.array([3.0, 2.0]),
        "y_hat": 7.0,
        "loss": 8.0,
        "d_alpha": np.array([[4.0, 4.0, 8.0], [8.0, 8.0, 16.0]]),
        "d_beta": np.array([4.0, 12.0, 8.0]),
    })


# ---------------------------------------------------------------- gradients against finite differences

def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def relu(z):
    return np.maximum(z, 0.0)


@gr.grades("sigmoid_grad", "relu_grad", "tanh_grad")
def test_activation_derivatives_agree_with_finite_differences():
    """sigmoid_grad (of your sigmoid), relu_grad and tanh_grad agree with finite differences at z away from 0"""
    z = np.array([[-2.5, -0.7, 0.4], [1.3, 3.1, -4.2]])
    elementwise_check(gr.sigmoid_grad(z), gr.sigmoid, z, name="sigmoid_grad(z)")
    elementwise_check(gr.relu_grad(z), relu, z, name="relu_grad(z)", forward_name="ReLU, max(z, 0)")
    elementwise_check(gr.tanh_grad(z), np.tanh, z, name="tanh_grad(z)", forward_name="tanh")


@gr.grades("scalar_mlp_grads")
def test_scalar_mlp_grads_agree_with_finite_differences_of_the_squared_error():
    """scalar_mlp_grads: agree with finite differences of L = (y_true - C sigma(A x + b) - d)^2, k = 3 units"""
    rng = np.random.default_rng(11)
    x, y_true = 0.8, -0.5
    A, b, C, d = rng.normal(size=(3, 1)), rng.normal(size=(3, 1)), rng.normal(size=(1, 3)), 0.3
    grads = gr.scalar_mlp_grads(x, y_true, A, b, C, d)
    gradient_check(grads, lambda A, b, C, d: (y_true - (C @ sigma(A * x + b)).item() - d) ** 2,
                   at={"A": A, "b": b, "C": C, "d": d}, forward_name="L = (y_true - y_pred)^2")


@gr.grades("sum_of_units_grads")
def test_sum_of_units_grads_agree_with_finite_differences():
    """sum_of_units_grads: dW, db agree with finite differences of f = (y - sum_i sigma(w_i . x + b_i))^2, n=3, d=2"""
    rng = np.random.default_rng(12)
    W, b, x, y = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=2), 1.4
    grads = gr.sum_of_units_grads(W, b, x, y)
    gradient_check(grads, lambda W, b: (y - sigma(W @ x + b).sum()) ** 2, at={"W": W, "b": b},
                   names={"dW": "W", "db": "b"}, forward_name="f = (y - sum_i sigma(w_i . x + b_i))^2")


ACTIVATIONS = {"identity": lambda a: a, "relu": relu, "sigmoid": sigma, "tanh": np.tanh}


@gr.grades("two_layer_grads")
def test_two_layer_grads_agree_with_finite_differences_for_every_activation():
    """two_layer_grads: x, W1, W2, b agree with finite differences of 1/2 ||W2 phi(W1 x + b) - y||^2, each activation"""
    rng = np.random.default_rng(13)
    W1, W2, b, x, y = rng.normal(size=(3, 2)), rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2), \
        rng.normal(size=2)
    for name, phi in ACTIVATIONS.items():
        grads = gr.two_layer_grads(W1, W2, b, x, y, name)
        gradient_check(grads, lambda x, W1, W2, b: 0.5 * np.sum((W2 @ phi(W1 @ x + b) - y) ** 2),
                       at={"x": x, "W1": W1, "W2": W2, "b": b}, forward_name="l = 1/2 ||W2 phi(W1 x + b) - y||^2",
                       case=f"activation={name!r}")


@gr.grades("grad_norm_sq", "jacobian_linear", "grad_composed_x", "grad_composed_A")
def test_matrix_calculus_agrees_with_finite_differences():
    """grad_norm_sq, jacobian_linear, grad_composed_x, grad_composed_A agree with finite differences, A of shape (3, 2)"""
    rng = np.random.default_rng(14)
    A, x = rng.normal(size=(3, 2)), rng.normal(size=3)
    gradient_check(gr.grad_norm_sq(x), lambda x: np.sum(x ** 2), at={"x": x}, names={"gradient": "x"},
                   forward_name="||x||^2")
    jacobian_check(gr.jacobian_linear(A, x), lambda x: A.T @ x, x, name="J", forward_name="f(x) = A^T x")
    gradient_check(gr.grad_composed_x(A, x), lambda x: np.sum((A.T @ x) ** 2), at={"x": x}, names={"gradient": "x"},
                   forward_name="||A^T x||^2")
    gradient_check(gr.grad_composed_A(A, x), lambda A: np.sum((A.T @ x) ** 2), at={"A": A}, names={"gradient": "A"},
                   forward_name="||A^T x||^2")


@gr.grades("mlp_relu_forward_backward")
def test_mlp_relu_d_alpha_and_d_beta_agree_with_finite_differences_of_your_loss():
    """mlp_relu_forward_backward: d_alpha and d_beta agree with finite differences of the loss it returns (h=2, d=2)"""
    x, y = np.array([0.6, -1.1]), 0.4
    alpha = np.array([[0.5, 1.0, -0.3], [-0.8, 0.2, 0.9]])  # unit 0 active, unit 1 not
    beta = np.array([0.2, -1.3, 0.7])
    out = gr.mlp_relu_forward_backward(x, alpha, beta, y)
    gradient_check(out, lambda alpha, beta: gr.mlp_relu_forward_backward(x, alpha, beta, y), take="loss",
                   at={"alpha": alpha, "beta": beta}, names={"d_alpha": "alpha", "d_beta": "beta"})


@gr.grades("skip_net_bce_grads")
def test_skip_net_bce_grads_agree_with_finite_differences_of_the_cross_entropy():
    """skip_net_bce_grads: W1, b1, W2, b2 and x agree with finite differences of J, including the skip path (h=3, d=2)"""
    rng = np.random.default_rng(15)
    x, y = rng.normal(size=2), np.array([1.0, 0.0])
    W1, b1, W2, b2 = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(2, 3)), rng.normal(size=2)

    def cross_entropy(x, W1, b1, W2, b2):
        y_hat = sigma(W2 @ relu(W1 @ x + b1) + b2 + x)
        return -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))

    grads = gr.skip_net_bce_grads(x, y, W1, b1, W2, b2)
    gradient_check(grads, cross_entropy, at={"x": x, "W1": W1, "b1": b1, "W2": W2, "b2": b2},
                   forward_name="J = sum_i -y_i log(y_hat_i) - (1 - y_i) log(1 - y_hat_i)")
