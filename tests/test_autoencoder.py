"""Hidden tests for autoencoder.py: the reference on seeded random inputs for the loss, its gradients and the
dropout-as-ridge functions; SGD training judged by what it achieves, against the SVD optimum."""
import numpy as np

from autograder.testkit import fail, match_reference_on, student_file
from reference import autoencoder as ref
from test_autoencoder_examples import achieved, call_text, shortfalls, training_data, weights  # shared with the visible test

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
    match_reference_on(ae.autoencoder_loss, ref.autoencoder_loss, autoencoders(801), name="loss")


@ae.grades("autoencoder_grads")
def test_autoencoder_grads_match_the_reference_on_random_inputs():
    """autoencoder_grads: random data and weights, including a single point and lam = 0"""
    match_reference_on(ae.autoencoder_grads, ref.autoencoder_grads, autoencoders(802), names=("dW1", "dW2"))


@ae.grades("dropout_to_ridge_weights")
def test_dropout_to_ridge_weights_matches_the_reference():
    """dropout_to_ridge_weights: random weights, keep probabilities 0.5, 0.8 and 1"""
    rng = np.random.default_rng(803)
    match_reference_on(ae.dropout_to_ridge_weights, ref.dropout_to_ridge_weights,
                       [(f"d={d}, p={p}", (rng.normal(size=d), p)) for d, p in [(5, 0.5), (1, 0.8), (7, 1.0)]],
                       name="w_ridge")


@ae.grades("dropout_equivalent_gamma")
def test_dropout_equivalent_gamma_matches_the_reference():
    """dropout_equivalent_gamma: random data of several shapes and keep probabilities"""
    rng = np.random.default_rng(804)
    shapes = [(7, 3, 0.3), (4, 1, 0.8), (10, 5, 0.5), (3, 6, 0.9)]
    match_reference_on(ae.dropout_equivalent_gamma, ref.dropout_equivalent_gamma,
                       [(f"X of shape ({n}, {d}), p={p}", (rng.normal(size=(n, d)), p)) for n, d, p in shapes],
                       name="Gamma")


@ae.grades("ridge_data_matrix")
def test_ridge_data_matrix_matches_the_reference():
    """ridge_data_matrix: a diagonal Gamma from dropout and full invertible ones"""
    rng = np.random.default_rng(805)
    X = rng.normal(size=(6, 3))
    cases = [("a diagonal Gamma, X of shape (6, 3)", (X, ref.dropout_equivalent_gamma(X, 0.6)))]
    for n, d in [(6, 3), (5, 1), (4, 4)]:
        gamma = rng.normal(size=(d, d)) + 3.0 * np.eye(d)  # safely invertible
        cases.append((f"a full Gamma, X of shape ({n}, {d})", (rng.normal(size=(n, d)), gamma)))
    match_reference_on(ae.ridge_data_matrix, ref.ridge_data_matrix, cases, name="X_ridge")


# ---- SGD training, judged by what it achieves -------------------------------------------------------
#
# Two runs, described like the visible one (see test_autoencoder_examples.py): "small", lam = 0.01 on 12 points in
# 8-D with a clear top-3 subspace, judged on all three properties; "large", lam = 0.5 on 6 points in 4-D with k = 1,
# where the optimum shrinks W2 W1 by half, so that a weight decay off by a factor is far from it. Their limits, and
# the fewest epochs that keep every correct variant inside them and every wrong one outside for every seed, are
# measured by bench/sgd_budget.py (figures in the README's "Cheaper training tests").
RUNS = {
    "small": {"data_seed": 11, "spread": (1.0, 0.95, 0.9, 0.1, 0.08, 0.06, 0.04, 0.02), "n": 12, "k": 3,
              "lam": 0.01, "lr": 0.03, "epochs": 70, "seed": 7},
    "large": {"data_seed": 12, "spread": (1.0, 0.1, 0.07, 0.05), "n": 6, "k": 1, "lam": 0.5, "lr": 0.05,
              "epochs": 72, "seed": 8},
}
LIMITS = {"small": {"excess": 0.05, "distance": 0.05, "singular": 0.5, "ortho": 0.25},
          "large": {"excess": 0.02, "distance": 0.05, "singular": 0.25}}

_trained = {}


def trained(name):
    """(X, achieved values) of one training run. Each run is made once and shared by the tests that judge it;
    a failure (crash, timeout, mutated input) is shared too."""
    if name not in _trained:
        run = RUNS[name]
        X = training_data(run["data_seed"], run["n"], run["spread"])
        try:
            _trained[name] = (X, ae.train_linear_autoencoder(X, run["k"], run["lam"], run["lr"], run["epochs"],
                                                             run["seed"]))
        except Exception as error:
            _trained[name] = error
    if isinstance(_trained[name], Exception):
        raise _trained[name]
    X, result = _trained[name]
    run = RUNS[name]
    W1, W2 = weights(result, len(run["spread"]), run["k"])
    return achieved(X, run["k"], run["lam"], W1, W2)


def judge(names, check):
    for name in names:
        problems = shortfalls(trained(name), LIMITS[name], checks=(check,))
        if problems:
            fail(f"After {call_text(RUNS[name])}: " + problems[0])


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_comes_close_to_the_optimal_loss():
    """train_linear_autoencoder: the loss after training is close to the optimum, for lam = 0.01 and lam = 0.5"""
    judge(RUNS, "excess")


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_projects_onto_the_top_k_principal_subspace():
    """train_linear_autoencoder: W2 W1 maps onto the top-k principal subspace of X, for lam = 0.01 and lam = 0.5"""
    judge(RUNS, "subspace")


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_learns_nearly_orthonormal_decoder_columns_for_small_lam():
    """train_linear_autoencoder: with lam = 0.01 the columns of W2 come out nearly orthonormal"""
    judge(["small"], "ortho")
