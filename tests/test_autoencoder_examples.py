"""Visible tests for autoencoder.py: small hand-checkable cases with their values written out, and a short
training run judged, like the hidden ones, by what it achieves.

Example files never import the reference: they ship as they are in the student kit.
"""
import numpy as np

from autograder.testkit import check, fail, gradient_check, student_file

ae = student_file("autoencoder.py")

# A hand-checkable autoencoder: m = 2, n = 2 points (the columns of X), k = 1, lam = 0.5.
# code W1 X = [[1, 3]], residual W2 W1 X - X = [[0, 1], [0, -1]].
X_SMALL = np.array([[1.0, 2.0], [0.0, 1.0]])
W1_SMALL = np.array([[1.0, 1.0]])
W2_SMALL = np.array([[1.0], [0.0]])


@ae.grades("autoencoder_loss")
def test_autoencoder_loss_on_a_two_point_example():
    """autoencoder_loss: X = [[1, 2], [0, 1]], W1 = [[1, 1]], W2 = [[1], [0]], lam = 0.5 -> 2/2 + 0.5 (2 + 1) = 2.5"""
    check(ae.autoencoder_loss(X_SMALL, W1_SMALL, W2_SMALL, 0.5), 2.5, name="loss")


@ae.grades("autoencoder_grads")
def test_autoencoder_grads_on_a_two_point_example():
    """autoencoder_grads: the same example -> dW1 = [[3, 2]], dW2 = [[4], [-3]]"""
    check(ae.autoencoder_grads(X_SMALL, W1_SMALL, W2_SMALL, 0.5), (np.array([[3.0, 2.0]]), np.array([[4.0], [-3.0]])),
          names=("dW1", "dW2"))


@ae.grades("autoencoder_grads")
def test_autoencoder_grads_agree_with_finite_differences_of_your_loss():
    """autoencoder_grads: dW1 and dW2 agree with finite differences of your autoencoder_loss (m=3, n=4, k=2, lam=0.3)"""
    rng = np.random.default_rng(61)
    X, W1, W2 = rng.normal(size=(3, 4)), rng.normal(0.0, 0.5, (2, 3)), rng.normal(0.0, 0.5, (3, 2))
    grads = ae.autoencoder_grads(X, W1, W2, 0.3)
    gradient_check(grads, lambda W1, W2: ae.autoencoder_loss(X, W1, W2, 0.3), at={"W1": W1, "W2": W2},
                   names={"dW1": "W1", "dW2": "W2"})


@ae.grades("dropout_equivalent_gamma")
def test_dropout_equivalent_gamma_on_columns_of_norm_5_and_1():
    """dropout_equivalent_gamma: X = [[3, 0], [4, 1]], p = 0.2 -> sqrt(0.8 / 0.2) * diag(5, 1) = diag(10, 2)"""
    check(ae.dropout_equivalent_gamma(np.array([[3.0, 0.0], [4.0, 1.0]]), 0.2), np.array([[10.0, 0.0], [0.0, 2.0]]),
          name="Gamma")


# ---- training, judged by what it achieves ------------------------------------------------------

# Centred points in m = 5 dimensions with a clear top-2 subspace (standard deviations 1 and 0.7 along two
# directions, at most 0.1 along the others), in a random orientation.
M, N, K = 5, 100, 2
LAM, LR, EPOCHS, SEED = 0.01, 0.01, 60, 3
# Measured on this data over 60 seeds for the reference, the corpus styles and other correct variants (random
# starts of size 1e-6 to 0.15, W1 or W2 updated first, other shuffles): the loss came within 0.5% of the
# optimum, the subspace distance stayed below 0.014, the top-2 singular values of W2 W1 above 0.97 and
# ||W2^T W2 - I||_2 below 0.045. The thresholds leave room for any correct SGD.
MAX_EXCESS, MAX_DISTANCE, MAX_ORTHO = 0.02, 0.05, 0.1


def small_data():
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.standard_normal((M, M)))[0]
    Z = rng.standard_normal((M, N))
    Z -= Z.mean(axis=1, keepdims=True)
    return basis @ (np.array([1.0, 0.7, 0.1, 0.07, 0.04])[:, None] * Z)


def weights(result, m, k):
    """(W1, W2) as float arrays of the right shapes and finite, or fail() saying what is wrong."""
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        fail(f"train_linear_autoencoder should return a pair (W1, W2), but it returned {type(result).__name__} "
             f"{result!r:.60}.")
    out = []
    for name, value, shape in (("W1", result[0], (k, m)), ("W2", result[1], (m, k))):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"`{name}` could not be read as an array of numbers.")
        if array.shape != shape:
            fail(f"`{name}` has shape {array.shape} but should have shape {shape} (k={k}, m={m}).")
        if not np.isfinite(array).all():
            fail(f"`{name}` contains NaN or inf after training: the training diverged. Check that each step goes "
                 "against the gradient (W = W - lr * grad) and the factors in your gradients.")
        out.append(array)
    return out


def percent(ratio):
    return f"{100 * ratio:.3g}%" if 100 * ratio < 1000 else f"{100 * ratio:.0f}%"


def achieved(X, k, lam, W1, W2):
    """(relative excess of the loss over the optimum, distance of the range of W2 W1 from the top-k
    principal subspace, k-th singular value of W2 W1, ||W2^T W2 - I||_2)."""
    n = X.shape[1]
    eigenvalues, vectors = np.linalg.eigh(X @ X.T / n)
    l, top = eigenvalues[::-1], vectors[:, ::-1][:, :k]
    best = l[k:].sum() + np.sum(2 * lam - lam**2 / l[:k])  # the optimum (lam smaller than l[k-1])
    loss = np.sum((X - W2 @ (W1 @ X)) ** 2) / n + lam * (np.sum(W1**2) + np.sum(W2**2))
    left, singular, _ = np.linalg.svd(W2 @ W1)
    span = left[:, :k]
    distance = np.linalg.norm(top @ top.T - span @ span.T, 2)
    ortho = np.linalg.norm(W2.T @ W2 - np.eye(k), 2)
    return (loss - best) / best, distance, singular[k - 1], ortho


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_learns_the_principal_subspace_of_a_small_data_set():
    """train_linear_autoencoder: 60 epochs on 100 points in 5-D, k=2, lam=0.01, lr=0.01 reach the optimum's properties"""
    X = small_data()
    W1, W2 = weights(ae.train_linear_autoencoder(X, K, LAM, LR, EPOCHS, SEED), M, K)
    excess, distance, smallest, ortho = achieved(X, K, LAM, W1, W2)
    problems = []
    if not excess < MAX_EXCESS:
        problems.append(f"The loss after training is {percent(excess)} above the optimal loss; a correct SGD run "
                        f"gets within {100 * MAX_EXCESS:g}%.")
    if not (distance < MAX_DISTANCE and smallest > 0.5):
        problems.append(f"W2 W1 does not project onto the top-{K} principal subspace of X: the distance between its "
                        f"range and that subspace is {distance:.3g} (should be below {MAX_DISTANCE:g}), and the smallest "
                        f"of its top {K} singular values is {smallest:.3g} (should be near 1).")
    if not ortho < MAX_ORTHO:
        problems.append(f"The columns of W2 are not close to orthonormal: ||W2^T W2 - I||_2 = {ortho:.3g} (should be "
                        f"below {MAX_ORTHO:g}). Start from small random weights (entries of about 0.1 or less) and "
                        "apply the weight decay 2 lam W at every step.")
    if problems:
        fail("\n".join(problems), fraction=(3 - len(problems)) / 3)
