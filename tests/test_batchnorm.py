"""Hidden tests for batchnorm.py: the reference on seeded random batches, including edge cases."""
import numpy as np

from autograder.testkit import match_reference, match_reference_on, student_file
from reference import batchnorm as ref

bn = student_file("batchnorm.py")

# (N, D) shapes of the hidden random batches: a batch of one, a single feature, odd and larger sizes.
SHAPES = [(4, 3), (1, 5), (7, 1), (16, 8)]


def batches(seed, scale=1.0):
    """Seeded random (shape, x, gamma, beta, dout) cases, one per shape, so a regrade is identical."""
    rng = np.random.default_rng(seed)
    for n, d in SHAPES:
        x = rng.normal(2.0, 3.0, (n, d)) * scale
        yield (f"a batch of N={n}, D={d}", x, rng.normal(1.0, 0.5, d), rng.normal(0.0, 1.0, d),
               rng.normal(0.0, 1.0, (n, d)))


@bn.grades("batchnorm_forward")
def test_forward_matches_the_reference_on_random_batches():
    match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward,
                       [(case, (x, gamma, beta)) for case, x, gamma, beta, _ in batches(seed=201)], name="y")


@bn.grades("batchnorm_forward")
def test_forward_adds_eps_to_the_variance_inside_the_square_root():
    match_reference_on(bn.batchnorm_forward, ref.batchnorm_forward,
                       [(f"{case}, eps=0.5", (x, gamma, beta), {"eps": 0.5})
                        for case, x, gamma, beta, _ in batches(seed=202, scale=0.3)], name="y")


@bn.grades("batchnorm_forward", "batchnorm_backward")
def test_forward_and_backward_use_eps_1e_minus_5_by_default():
    """batchnorm_forward and batchnorm_backward without eps: features whose variance is smaller than 1e-5"""
    rng = np.random.default_rng(207)
    x = 2.0 + 0.002 * rng.normal(size=(5, 3))  # variances of about 4e-6: eps = 1e-5 weighs more than they do
    gamma, beta, dout = rng.normal(1.0, 0.5, 3), rng.normal(size=3), rng.normal(size=(5, 3))
    match_reference(bn.batchnorm_forward, ref.batchnorm_forward, (x, gamma, beta), name="y",
                    case="feature variances of about 4e-6, default eps")
    match_reference(bn.batchnorm_backward, ref.batchnorm_backward, (dout, x, gamma), names=("dx", "dgamma", "dbeta"),
                    case="feature variances of about 4e-6, default eps")


@bn.grades("batchnorm_backward")
def test_backward_matches_the_reference_on_random_batches():
    match_reference_on(bn.batchnorm_backward, ref.batchnorm_backward,
                       [(case, (dout, x, gamma)) for case, x, gamma, _, dout in batches(seed=203)],
                       names=("dx", "dgamma", "dbeta"))


@bn.grades("batchnorm_backward")
def test_backward_uses_eps_like_the_forward_pass():
    match_reference_on(bn.batchnorm_backward, ref.batchnorm_backward,
                       [(f"{case}, eps=0.5", (dout, x, gamma), {"eps": 0.5})
                        for case, x, gamma, _, dout in batches(seed=204, scale=0.3)], names=("dx", "dgamma", "dbeta"))


@bn.grades("demean_forward")
def test_demean_forward_matches_the_reference():
    match_reference_on(bn.demean_forward, ref.demean_forward,
                       [(case, (x, gamma, beta)) for case, x, gamma, beta, _ in batches(seed=205)], name="y")


@bn.grades("demean_backward")
def test_demean_backward_matches_the_reference():
    match_reference_on(bn.demean_backward, ref.demean_backward,
                       [(case, (dout, gamma)) for case, _, gamma, _, dout in batches(seed=206)], name="dx")
