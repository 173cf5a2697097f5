"""Visible tests for gradients.py: the recitation example and small cases you can check by hand.

Example files never import the reference: they ship as they are in the student kit.
"""
import math

import numpy as np

from autograder.testkit import check, student_file

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
