"""Hidden tests for autoencoder.py: the reference on seeded random inputs for the loss, its gradients and the
dropout-as-ridge functions; SGD training judged by what it achieves, against the SVD optimum."""
import numpy as np

from autograder.testkit import fail, match_reference, student_file
from reference import autoencoder as ref
from test_autoencoder_examples import percent, weights  # shared with the visible training test

ae = student_file("autoencoder.py")

# (m, n, k, lam) of the random autoencoders: one point, a code as wide as the data, no regulariser.
AE_CASES = [(4, 6, 2, 0.3), (8, 20, 3, 0.01), (3, 1, 1, 0.5), (5, 7, 5, 0.0), (6, 9, 2, 1.5)]


def autoencoders(seed):
    rng = np.random.default_rng(seed)
    for m, n, k, lam in AE_CASES:
        X = rng.normal(0.0, 1.0, (m, n))
        W1, W2 = rng.normal(0.0, 0.5, (k, m)), rng.normal(0.0, 0.5, (m, k))
        yield f"m={m}, n={n}, k={k}, lam={lam}", (X, W1, W2, lam)


@ae.grades("autoencoder_loss")
def test_autoencoder_loss_matches_the_reference_on_random_inputs():
    """autoencoder_loss: random data and weights, including a single point and lam = 0"""
    for case, args in autoencoders(801):
        match_reference(ae.autoencoder_loss, ref.autoencoder_loss, args, name="loss", case=case)


@ae.grades("autoencoder_grads")
def test_autoencoder_grads_match_the_reference_on_random_inputs():
    """autoencoder_grads: random data and weights, including a single point and lam = 0"""
    for case, args in autoencoders(802):
        match_reference(ae.autoencoder_grads, ref.autoencoder_grads, args, names=("dW1", "dW2"), case=case)


@ae.grades("dropout_to_ridge_weights")
def test_dropout_to_ridge_weights_matches_the_reference():
    """dropout_to_ridge_weights: random weights, keep probabilities 0.5, 0.8 and 1"""
    rng = np.random.default_rng(803)
    for d, p in [(5, 0.5), (1, 0.8), (7, 1.0)]:
        match_reference(ae.dropout_to_ridge_weights, ref.dropout_to_ridge_weights, (rng.normal(size=d), p),
                        name="w_ridge", case=f"d={d}, p={p}")


@ae.grades("dropout_equivalent_gamma")
def test_dropout_equivalent_gamma_matches_the_reference():
    """dropout_equivalent_gamma: random data of several shapes and keep probabilities"""
    rng = np.random.default_rng(804)
    for n, d, p in [(7, 3, 0.3), (4, 1, 0.8), (10, 5, 0.5), (3, 6, 0.9)]:
        match_reference(ae.dropout_equivalent_gamma, ref.dropout_equivalent_gamma, (rng.normal(size=(n, d)), p),
                        name="Gamma", case=f"X of shape ({n}, {d}), p={p}")


@ae.grades("ridge_data_matrix")
def test_ridge_data_matrix_matches_the_reference():
    """ridge_data_matrix: a diagonal Gamma from dropout and full invertible ones"""
    rng = np.random.default_rng(805)
    X = rng.normal(size=(6, 3))
    cases = [(X, ref.dropout_equivalent_gamma(X, 0.6), "a diagonal Gamma, X of shape (6, 3)")]
    for n, d in [(6, 3), (5, 1), (4, 4)]:
        gamma = rng.normal(size=(d, d)) + 3.0 * np.eye(d)  # safely invertible
        cases.append((rng.normal(size=(n, d)), gamma, f"a full Gamma, X of shape ({n}, {d})"))
    for X, gamma, case in cases:
        match_reference(ae.ridge_data_matrix, ref.ridge_data_matrix, (X, gamma), name="X_ridge", case=case)


# ---- SGD training, judged by what it achieves -------------------------------------------------------
#
# Two runs of the size the spec names (m=8, n=200, k=3, 100 epochs, lr=0.005) on centred data with a clear
# top-3 subspace (standard deviations 1, 0.8, 0.6 along three directions, at most 0.1 along the others):
# "small" with lam=0.01 and "large" with lam=0.05, where the optimum shrinks W2 W1 by up to 14%.
#
# Measured on exactly these runs' data, over 60 training seeds each for the reference, the four corpus styles
# and six more correct variants (normal, uniform or all-positive starts of size 1e-6 to 0.15; W1 or W2 updated
# first; shuffles in place), small / large:
#   loss above the optimum        at most 0.134% / 0.144%
#   subspace distance             at most 0.0096 / 0.0101
#   smallest top-3 singular value at least 0.972 / 0.848 of W2 W1
#   ||W2^T W2 - I||_2             at most 0.035 on the small run (the optimum's own is 1 - lam / l_3 = 0.028)
# and over 20 seeds for wrong ones: ignoring lam at least 1.1% / 4.7% above the optimum, lam / n 1.09% / 4.6%,
# reconstruction gradient without its 2 0.6% / 3.9%, weight decay lam W instead of 2 lam W 0.24% / 1.03%,
# a start of size 1 0.81% on the small run, zero start 2290% / 547%, W2 never updated 1140% / 377% with a
# subspace distance of 0.87 / 0.79 or more, ascent NaN. The thresholds below leave at least 3.4x (loss),
# 5x (subspace) and 2.8x (orthonormality) room over the worst correct run, and each wrong variant fails at
# least one run (only unshuffled SGD, indistinguishable by what it achieves, passes).
M, N, K, LR, EPOCHS = 8, 200, 3, 0.005, 100
SPREAD = np.array([1.0, 0.8, 0.6, 0.1, 0.08, 0.06, 0.04, 0.02])
RUNS = {"small": (11, 0.01, 7), "large": (12, 0.05, 8)}  # name -> (data seed, lam, training seed)
MAX_EXCESS, MAX_DISTANCE, MIN_SINGULAR, MAX_ORTHO = 0.005, 0.05, 0.5, 0.1

_trained = {}


def data(seed):
    """Centred points with a clear top-3 subspace, in a random orientation."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((M, M)))[0]
    Z = rng.standard_normal((M, N))
    Z -= Z.mean(axis=1, keepdims=True)
    return basis @ (SPREAD[:, None] * Z)


def trained(run):
    """(X, lam, W1, W2) of one training run. Each run is made once and shared by the tests that judge it;
    a failure (crash, timeout, mutated input) is shared too."""
    if run not in _trained:
        data_seed, lam, seed = RUNS[run]
        X = data(data_seed)
        try:
            _trained[run] = (X, lam, ae.train_linear_autoencoder(X, K, lam, LR, EPOCHS, seed))
        except Exception as error:
            _trained[run] = error
    if isinstance(_trained[run], Exception):
        raise _trained[run]
    X, lam, result = _trained[run]
    return (X, lam) + tuple(weights(result, M, K))


def describe(run):
    data_seed, lam, seed = RUNS[run]
    return f"train_linear_autoencoder(X of shape ({M}, {N}), k={K}, lam={lam}, lr={LR}, epochs={EPOCHS}, seed={seed})"


def optimum(X, k, lam):
    """(optimal loss, orthonormal basis of the top-k principal subspace) from the eigenvalues l_i of
    X X^T / n: the best W2 W1 is sum over i <= k of (1 - lam / l_i) u_i u_i^T (lam < l_k here), with loss
    sum over i > k of l_i + sum over i <= k of (2 lam - lam^2 / l_i)."""
    eigenvalues, vectors = np.linalg.eigh(X @ X.T / X.shape[1])
    l, top = eigenvalues[::-1], vectors[:, ::-1][:, :k]
    return l[k:].sum() + np.sum(2 * lam - lam**2 / l[:k]), top


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_comes_close_to_the_optimal_loss():
    """train_linear_autoencoder: the loss after 100 epochs is within 0.5% of the optimum, for lam = 0.01 and 0.05"""
    for run in RUNS:
        X, lam, W1, W2 = trained(run)
        best, _ = optimum(X, K, lam)
        loss = ref.autoencoder_loss(X, W1, W2, lam)
        excess = (loss - best) / best
        if not excess < MAX_EXCESS:
            fail(f"After {describe(run)} the loss is {percent(excess)} above the optimal loss; a correct SGD run "
                 f"gets within {100 * MAX_EXCESS:g}%. Check every factor of the one-point gradients, including "
                 "the weight decay 2 lam W, and that both W1 and W2 are updated at every step.")


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_projects_onto_the_top_k_principal_subspace():
    """train_linear_autoencoder: W2 W1 maps onto the top-3 principal subspace of X, for lam = 0.01 and 0.05"""
    for run in RUNS:
        X, lam, W1, W2 = trained(run)
        _, top = optimum(X, K, lam)
        left, singular, _ = np.linalg.svd(W2 @ W1)
        span = left[:, :K]
        distance = np.linalg.norm(top @ top.T - span @ span.T, 2)
        if not (distance < MAX_DISTANCE and singular[K - 1] > MIN_SINGULAR):
            fail(f"After {describe(run)}, W2 W1 does not project onto the top-{K} principal subspace of X: the "
                 f"distance between the span of its top {K} left singular vectors and that subspace is "
                 f"{distance:.3g} (a correct run gets below {MAX_DISTANCE:g}; it is the spectral norm of the "
                 f"difference of the two orthogonal projectors), and the smallest of its top {K} singular values "
                 f"is {singular[K - 1]:.3g} (a correct run keeps it above {MIN_SINGULAR:g}).")


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_learns_nearly_orthonormal_decoder_columns_for_small_lam():
    """train_linear_autoencoder: with lam = 0.01 the columns of W2 come out nearly orthonormal"""
    X, lam, W1, W2 = trained("small")
    ortho = np.linalg.norm(W2.T @ W2 - np.eye(K), 2)
    if not ortho < MAX_ORTHO:
        fail(f"After {describe('small')} the columns of W2 are not close to orthonormal: ||W2^T W2 - I||_2 = "
             f"{ortho:.3g}, where a correct run gets below {MAX_ORTHO:g}. Start from small random weights "
             "(entries of about 0.1 or less) and apply the weight decay 2 lam W at every step.")
