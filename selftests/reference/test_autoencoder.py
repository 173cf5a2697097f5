"""The reference autoencoder.py: the loss, its gradients, SGD training against the SVD
optimum, and dropout as ridge regression."""
import functools
import itertools

import numpy as np
import pytest

from .fd import assert_gradient
from .inputs import assert_float64_array, call_without_mutation
from reference import autoencoder as ae
from reference import gradients

rng = np.random.default_rng(20240908)

# Training setup measured to work: over 50 data/initialisation seeds the worst run
# came within 0.2% of the optimal loss, 0.01 of the principal subspace (spectral
# norm of the projector difference) and 0.03 of orthonormal decoder columns.
M, N, K = 8, 200, 3
LAM, LR, EPOCHS = 0.01, 0.005, 100
SPREAD = np.array([1.0, 0.8, 0.6, 0.1, 0.08, 0.06, 0.04, 0.02])  # std along each axis


def _data(seed):
    """Centred points with a clear top-3 subspace, in a random orientation."""
    r = np.random.default_rng(seed)
    basis = np.linalg.qr(r.standard_normal((M, M)))[0]
    Z = r.standard_normal((M, N))
    Z -= Z.mean(axis=1, keepdims=True)
    return basis @ (SPREAD[:, None] * Z)


def _optimum(X, k, lam):
    """The known global optimum: with C = X X^T / n = sum_i l_i u_i u_i^T, the best
    W2 W1 is sum_{i<=k} (1 - lam/l_i) u_i u_i^T (for lam < l_k), reached with
    W2 = U_k diag(sqrt(1 - lam/l_i)) = W1^T, and the best loss is
    sum_{i>k} l_i + sum_{i<=k} (2 lam - lam^2 / l_i)."""
    eigenvalues, vectors = np.linalg.eigh(X @ X.T / X.shape[1])
    l, U = eigenvalues[::-1], vectors[:, ::-1]
    assert l[k - 1] > lam
    W2 = U[:, :k] * np.sqrt(1 - lam / l[:k])
    best_loss = l[k:].sum() + np.sum(2 * lam - lam**2 / l[:k])
    return W2.T.copy(), W2, best_loss, U[:, :k], l[:k]


@functools.lru_cache(maxsize=None)
def _trained(seed):
    X = _data(1000 + seed)
    W1, W2 = ae.train_linear_autoencoder(X, K, LAM, LR, EPOCHS, seed)
    return X, W1, W2


SEEDS = range(8)


# ---- the loss and its gradients ----------------------------------------------------


def test_autoencoder_loss_matches_a_point_by_point_sum():
    X, W1, W2 = rng.normal(size=(4, 6)), rng.normal(size=(2, 4)), rng.normal(size=(4, 2))
    expected = sum(np.sum((x - W2 @ W1 @ x) ** 2) for x in X.T) / 6
    expected += 0.3 * (np.sum(W1**2) + np.sum(W2**2))
    loss = call_without_mutation(ae.autoencoder_loss, X, W1, W2, 0.3)
    assert type(loss) is float and loss == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_autoencoder_grads_match_finite_differences(lam):
    X, W1, W2 = rng.normal(size=(4, 6)), rng.normal(size=(2, 4)), rng.normal(size=(4, 2))
    dW1, dW2 = call_without_mutation(ae.autoencoder_grads, X, W1, W2, lam)
    assert_float64_array(dW1, W1.shape)
    assert_float64_array(dW2, W2.shape)
    assert_gradient(dW1, lambda v: ae.autoencoder_loss(X, v, W2, lam), W1)
    assert_gradient(dW2, lambda v: ae.autoencoder_loss(X, W1, v, lam), W2)


def test_the_closed_form_optimum_is_a_stationary_point_with_the_closed_form_loss():
    X = _data(7)
    W1, W2, best_loss, _, _ = _optimum(X, K, LAM)
    for grad in ae.autoencoder_grads(X, W1, W2, LAM):
        np.testing.assert_allclose(grad, 0.0, atol=1e-12)
    assert ae.autoencoder_loss(X, W1, W2, LAM) == pytest.approx(best_loss, rel=1e-12)


# ---- SGD training -------------------------------------------------------------------


def test_train_linear_autoencoder_returns_encoder_and_decoder_shapes():
    X, W1, W2 = _trained(0)
    assert_float64_array(W1, (K, M))
    assert_float64_array(W2, (M, K))


def test_train_linear_autoencoder_leaves_the_data_unchanged():
    X = _data(3)
    call_without_mutation(ae.train_linear_autoencoder, X, K, LAM, LR, 1, 0)


def test_train_linear_autoencoder_is_reproducible_from_its_seed():
    X = _data(4)
    first = ae.train_linear_autoencoder(X, K, LAM, LR, 2, 5)
    second = ae.train_linear_autoencoder(X, K, LAM, LR, 2, 5)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_train_linear_autoencoder_starts_small():
    X = _data(5)
    W1, W2 = ae.train_linear_autoencoder(X, K, LAM, LR, 0, 11)
    assert np.abs(W1).max() < 0.5 and np.abs(W2).max() < 0.5
    assert 0.02 < W1.std() < 0.2 and 0.02 < W2.std() < 0.2


@pytest.mark.parametrize("seed", SEEDS)
def test_train_linear_autoencoder_comes_within_one_percent_of_the_optimal_loss(seed):
    X, W1, W2 = _trained(seed)
    best_loss = _optimum(X, K, LAM)[2]
    loss = ae.autoencoder_loss(X, W1, W2, LAM)
    assert best_loss <= loss + 1e-12
    assert (loss - best_loss) / best_loss < 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_train_linear_autoencoder_decoder_spans_the_top_k_principal_subspace(seed):
    X, W1, W2 = _trained(seed)
    top = np.linalg.svd(X)[0][:, :K]  # top-k left singular vectors of X
    decoder_basis = np.linalg.qr(W2)[0]
    distance = np.linalg.norm(top @ top.T - decoder_basis @ decoder_basis.T, 2)
    assert distance < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_train_linear_autoencoder_reconstruction_is_the_shrunk_principal_projection(seed):
    X, W1, W2 = _trained(seed)
    _, _, _, U, l = _optimum(X, K, LAM)
    best_map = U @ np.diag(1 - LAM / l) @ U.T
    np.testing.assert_allclose(W2 @ W1, best_map, atol=0.05)


@pytest.mark.parametrize("seed", SEEDS)
def test_train_linear_autoencoder_decoder_columns_are_nearly_orthonormal_for_small_lam(seed):
    X, W1, W2 = _trained(seed)
    np.testing.assert_allclose(W2.T @ W2, np.eye(K), atol=0.05)


# ---- dropout as ridge regression ----------------------------------------------------


def _expected_dropout_loss(X, y, w, p):
    """E over independent keep-masks (keep probability p) of ||y - X (mask * w)||^2,
    by enumerating every mask."""
    d = X.shape[1]
    total = 0.0
    for mask in itertools.product([0.0, 1.0], repeat=d):
        mask = np.array(mask)
        weight = np.prod(np.where(mask == 1.0, p, 1 - p))
        total += weight * np.sum((y - X @ (mask * w)) ** 2)
    return total


def test_dropout_objective_equals_the_tikhonov_objective_in_the_rescaled_weights():
    X, y, w, p = rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=3), 0.7
    v = call_without_mutation(ae.dropout_to_ridge_weights, w, p)
    Gamma = call_without_mutation(ae.dropout_equivalent_gamma, X, p)
    assert_float64_array(v, (3,))
    assert_float64_array(Gamma, (3, 3))
    tikhonov = np.sum((y - X @ v) ** 2) + np.sum((Gamma @ v) ** 2)
    assert _expected_dropout_loss(X, y, w, p) == pytest.approx(tikhonov, rel=1e-12)


def test_dropout_equivalent_gamma_is_diagonal_with_scaled_column_norms():
    X, p = rng.normal(size=(5, 3)), 0.25
    Gamma = ae.dropout_equivalent_gamma(X, p)
    norms = [np.sqrt(sum(X[i, j] ** 2 for i in range(5))) for j in range(3)]
    np.testing.assert_allclose(Gamma, np.diag(np.sqrt(3.0) * np.array(norms)), rtol=1e-14)


def test_ridge_data_matrix_is_X_times_the_inverse_of_gamma():
    X, Gamma = rng.normal(size=(6, 3)), rng.normal(size=(3, 3)) + 3 * np.eye(3)
    out = call_without_mutation(ae.ridge_data_matrix, X, Gamma)
    assert_float64_array(out, (6, 3))
    np.testing.assert_allclose(out @ Gamma, X, atol=1e-12)


def test_ridge_on_the_rescaled_data_solves_the_dropout_problem():
    X, y, p = rng.normal(size=(9, 3)), rng.normal(size=9), 0.6
    Gamma = ae.dropout_equivalent_gamma(X, p)
    # minimise ||y - X v||^2 + ||Gamma v||^2 by substituting u = Gamma v: classical ridge.
    u = gradients.ridge_solution(ae.ridge_data_matrix(X, Gamma), y, 1.0)
    v = np.linalg.solve(Gamma, u)
    expected = np.linalg.lstsq(np.vstack([X, Gamma]), np.concatenate([y, np.zeros(3)]), rcond=None)[0]
    np.testing.assert_allclose(v, expected, rtol=1e-10)
