"""A frozen-weights Binomial mixture from given parameters follows the textbook EM trajectory.

The two-coin example of Do & Batzoglou (2008), "What is the expectation maximization
algorithm?", Nature Biotechnology 26, 897-899: five sets of ten tosses of coin A or B (which
one is hidden), starting from theta_A = 0.6, theta_B = 0.5, with equal, fixed weights.
"""
import numpy as np
import pytest
from scipy.special import comb

from emkit import BinomialMixture

HEADS = np.array([5.0, 9.0, 8.0, 4.0, 7.0])
TOSSES = 10
START = {"weights": [0.5, 0.5], "probs": [[0.6], [0.5]]}


def textbook_em(theta, n_iter):
    """The reference, written out by hand: returns [theta after iteration t for t = 1..n]."""
    path = []
    for _ in range(n_iter):
        like = [comb(TOSSES, h) * theta ** h * (1 - theta) ** (TOSSES - h) for h in HEADS]
        like = np.array(like)                      # (sets, coins), weights 1/2 cancel
        resp = like / like.sum(axis=1, keepdims=True)
        heads = resp.T @ HEADS                     # expected heads of each coin
        tosses = resp.sum(axis=0) * TOSSES         # expected tosses of each coin
        theta = heads / tosses
        path.append(theta)
    return path


@pytest.mark.filterwarnings("ignore::emkit.ConvergenceWarning")
def test_the_trajectory_matches_the_hand_written_em():
    reference = textbook_em(np.array([0.6, 0.5]), 10)
    for t, expected in enumerate(reference, start=1):
        model = BinomialMixture(2, n_trials=TOSSES, params_init=START, fixed={"weights"},
                                max_iter=t, tol=0.0).fit(HEADS[:, None])
        assert model.n_iter_ == t
        np.testing.assert_allclose(model.probs_[:, 0], expected, rtol=1e-12)
        np.testing.assert_array_equal(model.weights_, [0.5, 0.5])


@pytest.mark.filterwarnings("ignore::emkit.ConvergenceWarning")
def test_the_published_values():
    first = BinomialMixture(2, n_trials=TOSSES, params_init=START, fixed={"weights"},
                            max_iter=1, tol=0.0).fit(HEADS[:, None])
    np.testing.assert_allclose(first.probs_[:, 0], [0.71, 0.58], atol=0.005)
    last = BinomialMixture(2, n_trials=TOSSES, params_init=START, fixed={"weights"},
                           max_iter=10, tol=0.0).fit(HEADS[:, None])
    np.testing.assert_allclose(last.probs_[:, 0], [0.80, 0.52], atol=0.005)
