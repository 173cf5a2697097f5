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
    """autoencoder_grads: dW1 and dW2 agree with finite differences of your autoencoder_loss (m=3, n=4, k=1, lam=0.3)"""
    rng = np.random.default_rng(61)
    X, W1, W2 = rng.normal(size=(3, 4)), rng.normal(0.0, 0.5, (1, 3)), rng.normal(0.0, 0.5, (3, 1))
    grads = ae.autoencoder_grads(X, W1, W2, 0.3)
    gradient_check(grads, lambda W1, W2: ae.autoencoder_loss(X, W1, W2, 0.3), at={"W1": W1, "W2": W2},
                   names={"dW1": "W1", "dW2": "W2"})


@ae.grades("dropout_equivalent_gamma")
def test_dropout_equivalent_gamma_on_columns_of_norm_5_and_1():
    """dropout_equivalent_gamma: X = [[3, 0], [4, 1]], p = 0.2 -> sqrt(0.8 / 0.2) * diag(5, 1) = diag(10, 2)"""
    check(ae.dropout_equivalent_gamma(np.array([[3.0, 0.0], [4.0, 1.0]]), 0.2), np.array([[10.0, 0.0], [0.0, 2.0]]),
          name="Gamma")


# ---- training, judged by what it achieves ------------------------------------------------------
#
# A run is described by its data (n centred points in m = len(spread) dimensions whose covariance X X^T / n has
# exactly the eigenvalues spread**2, along random orthonormal directions), its arguments and the limits a correct
# SGD run stays within, over every seed and every correct way of writing it; bench/sgd_budget.py measures that,
# and that every wrong variant fails, and finds the fewest epochs that still tell them apart (see its output in
# the README's "Cheaper training tests"). The hidden tests judge two more runs the same way.
TRAINING = {"data_seed": 3, "spread": (1.0, 0.9, 0.1, 0.08, 0.06, 0.04), "n": 12, "k": 2, "lam": 0.01, "lr": 0.03,
            "epochs": 72, "seed": 3}
LIMITS = {"excess": 0.05, "distance": 0.05, "singular": 0.5, "ortho": 0.25}


def training_data(data_seed, n, spread):
    """n centred points whose covariance X X^T / n has exactly the eigenvalues spread**2, in a random orientation."""
    rng = np.random.default_rng(data_seed)
    m = len(spread)
    basis = np.linalg.qr(rng.standard_normal((m, m)))[0]
    Z = rng.standard_normal((n, m))
    Z -= Z.mean(axis=0)
    Z = np.sqrt(n) * np.linalg.qr(Z)[0].T  # rows orthonormal, centred: Z Z^T / n = I
    return basis @ (np.asarray(spread)[:, None] * Z)


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
        if not (np.abs(array) < 1e100).all():  # also finite: values this large make W2 W1 overflow
            fail(f"`{name}` contains NaN, inf or values above 1e100 after training: the training diverged. Check "
                 "that each step goes against the gradient (W = W - lr * grad) and the factors in your gradients.")
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


def shortfalls(achieved_values, limits, checks=("excess", "subspace", "ortho")):
    """The sentences for every limit a run's (excess, distance, smallest singular value, ortho) is outside."""
    excess, distance, smallest, ortho = achieved_values
    found = []
    if "excess" in checks and not excess < limits["excess"]:
        found.append(f"The loss after training is {percent(excess)} above the optimal loss; a correct SGD run gets "
                     f"within {100 * limits['excess']:g}%. Check every factor of the one-point gradients, including the "
                     "weight decay 2 lam W, and that both W1 and W2 are updated at every step.")
    if "subspace" in checks and not (distance < limits["distance"] and smallest > limits["singular"]):
        found.append(f"W2 W1 does not project onto the top principal subspace of X: the distance between the span of "
                     f"its top singular vectors and that subspace is {distance:.3g} (a correct run gets below "
                     f"{limits['distance']:g}; it is the spectral norm of the difference of the two orthogonal "
                     f"projectors), and the smallest of its top singular values is {smallest:.3g} (a correct run keeps "
                     f"it above {limits['singular']:g}).")
    if "ortho" in checks and not ortho < limits["ortho"]:
        found.append(f"The columns of W2 are not close to orthonormal: ||W2^T W2 - I||_2 = {ortho:.3g}, where a correct "
                     f"run gets below {limits['ortho']:g}. Start from small random weights (entries of about 0.1 or "
                     "less) and apply the weight decay 2 lam W at every step.")
    return found


def call_text(run):
    return (f"train_linear_autoencoder(X of shape ({len(run['spread'])}, {run['n']}), k={run['k']}, lam={run['lam']}, "
            f"lr={run['lr']}, epochs={run['epochs']}, seed={run['seed']})")


@ae.grades("train_linear_autoencoder")
def test_train_linear_autoencoder_learns_the_principal_subspace_of_a_small_data_set():
    """train_linear_autoencoder: 12 points in 6-D, k=2, lam=0.01: the loss, subspace and decoder of the optimum"""
    run = TRAINING
    X = training_data(run["data_seed"], run["n"], run["spread"])
    result = ae.train_linear_autoencoder(X, run["k"], run["lam"], run["lr"], run["epochs"], run["seed"])
    W1, W2 = weights(result, len(run["spread"]), run["k"])
    problems = shortfalls(achieved(X, run["k"], run["lam"], W1, W2), LIMITS)
    if problems:
        fail(f"After {call_text(run)}:\n" + "\n".join(problems), fraction=(3 - len(problems)) / 3)
