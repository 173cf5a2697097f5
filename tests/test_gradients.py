"""Hidden tests for gradients.py: the reference on seeded random inputs, and the edge cases of the spec."""
import numpy as np

from autograder.testkit import match_reference, match_reference_on, must_raise_on, student_file
from reference import gradients as ref

gr = student_file("gradients.py")

# Shapes of the elementwise activations' inputs: "any shape" means 1-D, 2-D and 3-D alike.
ACTIVATION_SHAPES = [(7,), (3, 4), (2, 3, 2)]


def activation_inputs(seed, scale=3.0):
    """Seeded (case, z) pairs, one per shape, with no z exactly 0."""
    rng = np.random.default_rng(seed)
    for shape in ACTIVATION_SHAPES:
        yield f"z of shape {shape}", rng.normal(0.0, scale, shape)


# ------------------------------------------------------------------ activations

@gr.grades("sigmoid")
def test_sigmoid_matches_the_reference_on_random_arrays():
    """sigmoid: elementwise on random arrays of several shapes"""
    match_reference_on(gr.sigmoid, ref.sigmoid, [(case, (z,)) for case, z in activation_inputs(seed=301)],
                       name="sigmoid(z)")


@gr.grades("sigmoid")
def test_sigmoid_is_finite_for_inputs_of_size_1e4():
    """sigmoid: finite, in [0, 1], for z from -1e4 to 1e4 (no overflow, no NaN)"""
    z = np.array([[-1e4, -1000.0, -710.0, -40.0, -1.5],
                  [1e4, 1000.0, 710.0, 40.0, 1.5]])
    match_reference(gr.sigmoid, ref.sigmoid, (z,), name="sigmoid(z)",
                    case="z with entries between -1e4 and 1e4")


@gr.grades("sigmoid_grad")
def test_sigmoid_grad_matches_the_reference_on_random_arrays():
    """sigmoid_grad: sigma(z)(1 - sigma(z)) on random arrays of several shapes"""
    match_reference_on(gr.sigmoid_grad, ref.sigmoid_grad, [(case, (z,)) for case, z in activation_inputs(seed=302)],
                       name="sigmoid_grad(z)")


@gr.grades("relu_grad")
def test_relu_grad_matches_the_reference_on_random_arrays():
    """relu_grad: 1 where z > 0, else 0, on random arrays of several shapes"""
    match_reference_on(gr.relu_grad, ref.relu_grad, [(case, (z,)) for case, z in activation_inputs(seed=303)],
                       name="relu_grad(z)")


@gr.grades("relu_grad")
def test_relu_grad_is_zero_at_zero():
    """relu_grad: the derivative at z == 0 is 0"""
    z = np.array([[0.0, -0.0, 0.5], [-0.5, 0.0, 2.0]])
    match_reference(gr.relu_grad, ref.relu_grad, (z,), name="relu_grad(z)",
                    case="z containing exact zeros")


@gr.grades("tanh_grad")
def test_tanh_grad_matches_the_reference_on_random_arrays():
    """tanh_grad: 1 - tanh(z)^2 on random arrays of several shapes"""
    match_reference_on(gr.tanh_grad, ref.tanh_grad,
                       [(case, (z,)) for case, z in activation_inputs(seed=304, scale=1.5)], name="tanh_grad(z)")


# ------------------------------------------------------------------ backprop by hand

@gr.grades("scalar_mlp_grads")
def test_scalar_mlp_grads_matches_the_reference():
    """scalar_mlp_grads: dL/dA, dL/db, dL/dC, dL/dd for k = 1, 3 and 6 hidden units"""
    rng = np.random.default_rng(305)
    cases = []
    for k in (1, 3, 6):
        x, y_true, d = float(rng.normal()), float(rng.normal(0.0, 2.0)), float(rng.normal())
        A, b, C = rng.normal(size=(k, 1)), rng.normal(size=(k, 1)), rng.normal(size=(1, k))
        cases.append((f"k={k} hidden units", (x, y_true, A, b, C, d)))
    match_reference_on(gr.scalar_mlp_grads, ref.scalar_mlp_grads, cases)


@gr.grades("gd_update")
def test_gd_update_returns_parameters_one_step_downhill():
    """gd_update: params - lr * grads for every parameter, arrays and floats, inputs unchanged"""
    rng = np.random.default_rng(306)
    cases = []
    for lr in (0.1, 0.003):
        params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3), "d": float(rng.normal())}
        grads = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3), "d": float(rng.normal())}
        cases.append((f"lr={lr}", (params, grads, lr)))
    match_reference_on(gr.gd_update, ref.gd_update, cases)


@gr.grades("sum_of_units_grads")
def test_sum_of_units_grads_matches_the_reference():
    """sum_of_units_grads: (dW, db) for several numbers of units n and input sizes d"""
    rng = np.random.default_rng(307)
    cases = [(f"n={n} units, d={d}",
              (rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d), float(rng.normal(1.0, 1.0))))
             for n, d in ((1, 1), (3, 2), (5, 4))]
    match_reference_on(gr.sum_of_units_grads, ref.sum_of_units_grads, cases, names=("dW", "db"))


# (h, d, o) of the two-layer networks: a single unit, square, wide and narrow layers.
TWO_LAYER_SHAPES = [(1, 1, 1), (3, 4, 2), (5, 2, 3)]


def two_layer_cases(seed, activation):
    rng = np.random.default_rng(seed)
    for h, d, o in TWO_LAYER_SHAPES:
        args = (rng.normal(size=(h, d)), rng.normal(size=(o, h)), rng.normal(size=h), rng.normal(size=d),
                rng.normal(size=o), activation)
        yield f"activation={activation!r}, h={h}, d={d}, o={o}", args


def check_two_layer(seed, activation):
    match_reference_on(gr.two_layer_grads, ref.two_layer_grads, two_layer_cases(seed, activation))


@gr.grades("two_layer_grads")
def test_two_layer_grads_with_the_identity_activation():
    """two_layer_grads: dl/dx, dW1, dW2, db with activation 'identity'"""
    check_two_layer(308, "identity")


@gr.grades("two_layer_grads")
def test_two_layer_grads_with_the_relu_activation():
    """two_layer_grads: dl/dx, dW1, dW2, db with activation 'relu'"""
    check_two_layer(309, "relu")


@gr.grades("two_layer_grads")
def test_two_layer_grads_with_the_sigmoid_activation():
    """two_layer_grads: dl/dx, dW1, dW2, db with activation 'sigmoid'"""
    check_two_layer(310, "sigmoid")


@gr.grades("two_layer_grads")
def test_two_layer_grads_with_the_tanh_activation():
    """two_layer_grads: dl/dx, dW1, dW2, db with activation 'tanh'"""
    check_two_layer(311, "tanh")


@gr.grades("two_layer_grads")
def test_two_layer_grads_rejects_an_unknown_activation():
    """two_layer_grads: ValueError for an activation that is not one of the four"""
    _, args = next(two_layer_cases(312, "identity"))
    must_raise_on(gr.two_layer_grads, ValueError,
                  [(f"when activation is {name!r}", (*args[:5], name)) for name in ("softplus", "leaky_relu")])


# ------------------------------------------------------------------ matrix calculus

# (d, n) of A: non-square both ways, so that a transposed result has the wrong shape.
MATRIX_SHAPES = [(1, 1), (3, 5), (4, 2)]


def matrix_cases(seed):
    rng = np.random.default_rng(seed)
    for d, n in MATRIX_SHAPES:
        yield f"A of shape ({d}, {n})", rng.normal(size=(d, n)), rng.normal(size=d)


@gr.grades("grad_norm_sq")
def test_grad_norm_sq_matches_the_reference():
    """grad_norm_sq: the gradient of ||x||^2 for several sizes of x"""
    match_reference_on(gr.grad_norm_sq, ref.grad_norm_sq,
                       [(f"x of size {len(x)}", (x,)) for _, _, x in matrix_cases(313)], name="gradient")


@gr.grades("jacobian_linear")
def test_jacobian_linear_matches_the_reference():
    """jacobian_linear: J[i, j] = df_i/dx_j of f(x) = A^T x, shape (n, d)"""
    match_reference_on(gr.jacobian_linear, ref.jacobian_linear,
                       [(case, (A, x)) for case, A, x in matrix_cases(314)], name="J")


@gr.grades("grad_composed_x")
def test_grad_composed_x_matches_the_reference():
    """grad_composed_x: the gradient of ||A^T x||^2 with respect to x"""
    match_reference_on(gr.grad_composed_x, ref.grad_composed_x,
                       [(case, (A, x)) for case, A, x in matrix_cases(315)], name="gradient")


@gr.grades("grad_composed_A")
def test_grad_composed_A_matches_the_reference():
    """grad_composed_A: the gradient of ||A^T x||^2 with respect to A, shape (d, n)"""
    match_reference_on(gr.grad_composed_A, ref.grad_composed_A,
                       [(case, (A, x)) for case, A, x in matrix_cases(316)], name="gradient")


@gr.grades("ridge_solution")
def test_ridge_solution_matches_the_reference():
    """ridge_solution: the minimiser for tall, square and wide A and several lam"""
    rng = np.random.default_rng(317)
    cases = [(f"A of shape ({m}, {d}), lam={lam}", (rng.normal(size=(m, d)), rng.normal(size=m), lam))
             for (m, d), lam in (((10, 3), 0.1), ((4, 4), 1.0), ((2, 5), 2.5), ((6, 1), 7.0))]
    match_reference_on(gr.ridge_solution, ref.ridge_solution, cases, name="x")


@gr.grades("least_squares")
def test_least_squares_matches_the_reference():
    """least_squares: the minimiser for tall and square X of full column rank"""
    rng = np.random.default_rng(318)
    cases = [(f"X of shape ({n}, {d})", (rng.normal(size=(n, d)), rng.normal(size=n)))
             for n, d in ((12, 3), (5, 5), (7, 1))]
    match_reference_on(gr.least_squares, ref.least_squares, cases, name="theta")


# ------------------------------------------------------------------ the two recitation networks

@gr.grades("mlp_relu_forward_backward")
def test_mlp_relu_forward_backward_matches_the_reference():
    """mlp_relu_forward_backward: a, z, y_hat, loss, d_alpha, d_beta, with active and inactive units"""
    rng = np.random.default_rng(319)
    cases = []
    for h, d in ((1, 1), (4, 3), (6, 2)):
        x, alpha, beta, y = rng.normal(size=d), rng.normal(size=(h, d + 1)), rng.normal(size=h + 1), \
            float(rng.normal())
        if h > 1:  # make sure one unit is inactive (a < 0) and one active
            alpha[0] = -np.sign(np.concatenate(([1.0], x))) * np.abs(alpha[0])
            alpha[1] = np.sign(np.concatenate(([1.0], x))) * np.abs(alpha[1])
        cases.append((f"h={h} hidden units, d={d}", (x, alpha, beta, y)))
    match_reference_on(gr.mlp_relu_forward_backward, ref.mlp_relu_forward_backward, cases)


@gr.grades("skip_net_bce_grads")
def test_skip_net_bce_grads_matches_the_reference():
    """skip_net_bce_grads: y_hat and the gradients of W1, b1, W2, b2 and x (including the skip path)"""
    rng = np.random.default_rng(320)
    cases = []
    for h, d in ((1, 1), (4, 3), (2, 5)):
        x, y = rng.normal(size=d), rng.integers(0, 2, size=d).astype(np.float64)
        W1, b1, W2, b2 = rng.normal(size=(h, d)), rng.normal(size=h), rng.normal(size=(d, h)), rng.normal(size=d)
        cases.append((f"h={h} hidden units, d={d}", (x, y, W1, b1, W2, b2)))
    match_reference_on(gr.skip_net_bce_grads, ref.skip_net_bce_grads, cases)
