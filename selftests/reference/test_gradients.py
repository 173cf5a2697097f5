"""The reference gradients.py, checked against definitions and finite differences."""
import warnings

import numpy as np
import pytest

from .fd import assert_gradient, numerical_jacobian
from .inputs import assert_float64_array, call_without_mutation
from reference import gradients as g

rng = np.random.default_rng(20240901)


def _sig(z):
    """The textbook definition, used only where it cannot overflow."""
    return 1.0 / (1.0 + np.exp(-z))


# ---- activations -----------------------------------------------------------------


def test_sigmoid_matches_its_definition():
    z = rng.normal(scale=5.0, size=(4, 5))
    np.testing.assert_allclose(g.sigmoid(z), _sig(z), rtol=1e-14)
    assert g.sigmoid(np.array(0.0)) == 0.5


def test_sigmoid_keeps_the_shape_of_its_input():
    for shape in [(), (3,), (2, 3, 4)]:
        assert_float64_array(g.sigmoid(np.zeros(shape)), shape)


def test_sigmoid_is_finite_in_the_unit_interval_at_plus_minus_1e4_without_warnings():
    z = np.array([-1e4, -800.0, -1.0, 0.0, 1.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            s = g.sigmoid(z)
    assert np.all(np.isfinite(s)) and np.all((0.0 <= s) & (s <= 1.0))
    assert s[0] == 0.0 and s[-1] == 1.0
    assert np.all(np.diff(s) >= 0)


def test_sigmoid_grad_matches_finite_differences():
    z = rng.normal(scale=3.0, size=(3, 4))
    assert_gradient(g.sigmoid_grad(z), lambda v: _sig(v).sum(), z)


def test_sigmoid_grad_is_finite_at_plus_minus_1e4():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(g.sigmoid_grad(np.array([-1e4, 1e4])), [0.0, 0.0])


def test_tanh_grad_matches_finite_differences():
    z = rng.normal(scale=2.0, size=(3, 4))
    assert_gradient(g.tanh_grad(z), lambda v: np.tanh(v).sum(), z)


def test_relu_grad_matches_finite_differences_away_from_zero():
    z = rng.normal(size=(5, 4))
    z[np.abs(z) < 1e-3] = 0.5
    assert_gradient(g.relu_grad(z), lambda v: np.maximum(v, 0.0).sum(), z)


def test_relu_grad_is_zero_at_zero():
    np.testing.assert_array_equal(g.relu_grad(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    assert_float64_array(g.relu_grad(np.zeros((2, 3))), (2, 3))


# ---- small networks by hand ------------------------------------------------------


def _scalar_mlp_params(k=4):
    return {
        "A": rng.normal(size=(k, 1)),
        "b": rng.normal(size=(k, 1)),
        "C": rng.normal(size=(1, k)),
        "d": float(rng.normal()),
    }


def _scalar_mlp_loss(x, y_true, A, b, C, d):
    return float((y_true - (C @ _sig(A * x + b)).item() - d) ** 2)


@pytest.mark.parametrize("name", ["A", "b", "C", "d"])
def test_scalar_mlp_grads_match_finite_differences(name):
    params, x, y_true = _scalar_mlp_params(), 0.7, -1.3
    grads = g.scalar_mlp_grads(x, y_true, **params)

    def loss(value):
        return _scalar_mlp_loss(x, y_true, **{**params, name: value})

    start = np.array(params[name])
    assert_gradient(np.asarray(grads[name]), lambda v: loss(v if v.ndim else float(v)), start)


def test_scalar_mlp_grads_returns_parameter_shapes_and_a_float_for_d():
    params = _scalar_mlp_params(k=3)
    grads = call_without_mutation(g.scalar_mlp_grads, 0.5, 2.0, *params.values())
    assert set(grads) == {"A", "b", "C", "d"}
    for name in "AbC":
        assert_float64_array(grads[name], params[name].shape)
    assert type(grads["d"]) is float


def test_gd_update_subtracts_lr_times_the_gradient():
    params = {"W": np.array([[1.0, 2.0]]), "c": 3.0}
    grads = {"W": np.array([[10.0, -10.0]]), "c": 1.0}
    new = g.gd_update(params, grads, 0.1)
    np.testing.assert_allclose(new["W"], [[0.0, 3.0]])
    assert new["c"] == pytest.approx(2.9) and type(new["c"]) is float


def test_gd_update_returns_a_new_dict_and_leaves_its_inputs_unchanged():
    params = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
    grads = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
    new = call_without_mutation(g.gd_update, params, grads, 0.5)
    assert new is not params and set(new) == {"W", "b"}


def _sum_of_units_case(n=4, d=3):
    return rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d), 1.7


def _sum_of_units_loss(W, b, x, y):
    return float((y - _sig(W @ x + b).sum()) ** 2)


def test_sum_of_units_grads_match_finite_differences():
    W, b, x, y = _sum_of_units_case()
    dW, db = call_without_mutation(g.sum_of_units_grads, W, b, x, y)
    assert_gradient(dW, lambda v: _sum_of_units_loss(v, b, x, y), W)
    assert_gradient(db, lambda v: _sum_of_units_loss(W, v, x, y), b)
    assert_float64_array(dW, W.shape)
    assert_float64_array(db, b.shape)


_PHI = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": _sig,
    "tanh": np.tanh,
}


def _two_layer_case(h=5, d=3, o=2):
    args = {
        "W1": rng.normal(size=(h, d)),
        "W2": rng.normal(size=(o, h)),
        "b": rng.normal(size=h),
        "x": rng.normal(size=d),
        "y": rng.normal(size=o),
    }
    pre = args["W1"] @ args["x"] + args["b"]
    args["b"][np.abs(pre) < 1e-3] += 0.1  # keep relu away from its kink
    return args


@pytest.mark.parametrize("activation", ["identity", "relu", "sigmoid", "tanh"])
def test_two_layer_grads_match_finite_differences(activation):
    args = _two_layer_case()
    phi = _PHI[activation]

    def loss(W1, W2, b, x, y):
        return 0.5 * float(np.sum((W2 @ phi(W1 @ x + b) - y) ** 2))

    grads = call_without_mutation(g.two_layer_grads, *args.values(), activation)
    assert set(grads) == {"x", "W1", "W2", "b"}
    for name in ["x", "W1", "W2", "b"]:
        assert_gradient(grads[name], lambda v: loss(**{**args, name: v}), args[name])
        assert_float64_array(grads[name], args[name].shape)


@pytest.mark.parametrize("activation", ["softmax", "ReLU", "", None])
def test_two_layer_grads_rejects_an_unknown_activation(activation):
    args = _two_layer_case()
    with pytest.raises(ValueError):
        g.two_layer_grads(*args.values(), activation)


# ---- matrix calculus ---------------------------------------------------------------


def test_grad_norm_sq_matches_finite_differences():
    x = rng.normal(size=4)
    assert_gradient(call_without_mutation(g.grad_norm_sq, x), lambda v: float(v @ v), x)


def test_jacobian_linear_matches_finite_differences_with_rows_indexing_outputs():
    A, x = rng.normal(size=(3, 5)), rng.normal(size=3)
    J = call_without_mutation(g.jacobian_linear, A, x)
    assert_float64_array(J, (5, 3))
    np.testing.assert_allclose(J, numerical_jacobian(lambda v: A.T @ v, x), atol=1e-8)


def test_grad_composed_x_matches_finite_differences():
    A, x = rng.normal(size=(3, 5)), rng.normal(size=3)
    grad = call_without_mutation(g.grad_composed_x, A, x)
    assert_gradient(grad, lambda v: float(np.sum((A.T @ v) ** 2)), x)


def test_grad_composed_A_matches_finite_differences():
    A, x = rng.normal(size=(3, 5)), rng.normal(size=3)
    grad = call_without_mutation(g.grad_composed_A, A, x)
    assert_gradient(grad, lambda M: float(np.sum((M.T @ x) ** 2)), A)


def test_ridge_solution_solves_the_augmented_least_squares_problem():
    A, b, lam = rng.normal(size=(8, 3)), rng.normal(size=8), 0.7
    # ||Ax - b||^2 + lam ||x||^2 = || [A; sqrt(lam) I] x - [b; 0] ||^2
    stacked = np.vstack([A, np.sqrt(lam) * np.eye(3)])
    expected = np.linalg.lstsq(stacked, np.concatenate([b, np.zeros(3)]), rcond=None)[0]
    x = call_without_mutation(g.ridge_solution, A, b, lam)
    assert_float64_array(x, (3,))
    np.testing.assert_allclose(x, expected, rtol=1e-10)


def test_ridge_solution_has_zero_gradient_and_handles_more_features_than_examples():
    A, b, lam = rng.normal(size=(3, 6)), rng.normal(size=3), 0.2
    x = g.ridge_solution(A, b, lam)
    np.testing.assert_allclose(2 * A.T @ (A @ x - b) + 2 * lam * x, 0.0, atol=1e-10)


def test_least_squares_matches_lstsq():
    X, y = rng.normal(size=(10, 4)), rng.normal(size=10)
    theta = call_without_mutation(g.least_squares, X, y)
    assert_float64_array(theta, (4,))
    np.testing.assert_allclose(theta, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)


def test_least_squares_is_exact_on_consistent_data():
    X, theta = rng.normal(size=(6, 3)), np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(g.least_squares(X, X @ theta), theta, rtol=1e-12)


# ---- the recitation MLP and the skip network ----------------------------------------


def test_mlp_relu_forward_backward_reproduces_the_recitation_example():
    out = g.mlp_relu_forward_backward(
        np.array([1.0, 2.0]),
        np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0]]),
        np.array([0.0, 1.0, 2.0]),
        3.0,
    )
    assert set(out) == {"a", "z", "y_hat", "loss", "d_alpha", "d_beta"}
    np.testing.assert_array_equal(out["a"], [3.0, 2.0])
    np.testing.assert_array_equal(out["z"], [3.0, 2.0])
    assert out["y_hat"] == 7.0 and out["loss"] == 8.0
    np.testing.assert_array_equal(out["d_beta"], [4.0, 12.0, 8.0])
    np.testing.assert_array_equal(out["d_alpha"], [[4.0, 4.0, 8.0], [8.0, 8.0, 16.0]])


def _mlp_loss(x, alpha, beta, y):
    z = np.maximum(alpha @ np.concatenate(([1.0], x)), 0.0)
    return 0.5 * float((beta @ np.concatenate(([1.0], z)) - y) ** 2)


def test_mlp_relu_forward_backward_grads_match_finite_differences():
    d, h = 3, 4
    x, alpha, beta, y = rng.normal(size=d), rng.normal(size=(h, d + 1)), rng.normal(size=h + 1), 0.3
    out = call_without_mutation(g.mlp_relu_forward_backward, x, alpha, beta, y)
    assert_gradient(out["d_alpha"], lambda v: _mlp_loss(x, v, beta, y), alpha)
    assert_gradient(out["d_beta"], lambda v: _mlp_loss(x, alpha, v, y), beta)
    assert out["loss"] == pytest.approx(_mlp_loss(x, alpha, beta, y), rel=1e-14)
    assert_float64_array(out["a"], (h,))
    assert_float64_array(out["z"], (h,))


def _skip_case(d=3, h=4):
    return {
        "x": rng.normal(size=d),
        "y": np.array([1.0, 0.0, 1.0]),
        "W1": rng.normal(size=(h, d)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(d, h)),
        "b2": rng.normal(size=d),
    }


def _skip_loss(x, y, W1, b1, W2, b2):
    y_hat = _sig(W2 @ np.maximum(W1 @ x + b1, 0.0) + b2 + x)
    return float(np.sum(-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)))


def test_skip_net_bce_grads_match_finite_differences():
    args = _skip_case()
    out = call_without_mutation(g.skip_net_bce_grads, *args.values())
    assert set(out) == {"y_hat", "W1", "b1", "W2", "b2", "x"}
    for name in ["W1", "b1", "W2", "b2", "x"]:
        assert_gradient(out[name], lambda v: _skip_loss(**{**args, name: v}), args[name])
        assert_float64_array(out[name], args[name].shape)
    x, W1, b1, W2, b2 = (args[k] for k in ["x", "W1", "b1", "W2", "b2"])
    np.testing.assert_allclose(out["y_hat"], _sig(W2 @ np.maximum(W1 @ x + b1, 0) + b2 + x))


def test_skip_net_x_gradient_flows_through_the_skip_path_when_the_hidden_layer_is_dead():
    args = _skip_case()
    args["b1"] = -10.0 - np.abs(args["W1"]).sum(axis=1) * np.abs(args["x"]).max()
    out = g.skip_net_bce_grads(*args.values())
    np.testing.assert_array_equal(out["W1"], 0.0)
    np.testing.assert_allclose(out["x"], out["y_hat"] - args["y"], rtol=1e-14)
