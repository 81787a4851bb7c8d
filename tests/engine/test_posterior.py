"""Typed posteriors: entropies and evidence against scipy, weighted by the block."""
import numpy as np
from scipy import stats
from scipy.special import logsumexp, softmax

import emkit
from emkit.engine import DiscretePosterior, GaussianPosterior

RNG = np.random.default_rng(0)


def test_discrete_posterior_from_log_joint_matches_scipy():
    table = RNG.normal(size=(6, 3))
    table[2, 1] = -np.inf  # a latent value the row rules out
    weights = RNG.uniform(0.5, 2.0, 6)
    block = emkit.Block(np.zeros((6, 1)), weights=weights)
    q = DiscretePosterior.from_log_joint(table)
    np.testing.assert_allclose(q.probabilities, softmax(table, axis=1), rtol=1e-14)
    expected_entropy = weights @ np.array([stats.entropy(p) for p in softmax(table, axis=1)])
    assert np.isclose(q.total_entropy(block), expected_entropy, rtol=1e-13)
    assert np.isclose(q.total_log_likelihood(block), weights @ logsumexp(table, axis=1),
                      rtol=1e-13)


def test_gaussian_posterior_entropy_matches_scipy():
    covariance = np.array([[1.0, 0.3], [0.3, 0.5]])
    shared = GaussianPosterior(np.zeros((4, 2)), covariance)
    per_row = GaussianPosterior(np.zeros((2, 2)), np.stack([covariance, 2.0 * covariance]))
    one = stats.multivariate_normal(np.zeros(2), covariance).entropy()
    two = stats.multivariate_normal(np.zeros(2), 2.0 * covariance).entropy()
    assert np.isclose(shared.total_entropy(emkit.Block(np.zeros((4, 1)))), 4 * one)
    block = emkit.Block(np.zeros((2, 1)), weights=np.array([0.5, 3.0]))
    assert np.isclose(per_row.total_entropy(block), 0.5 * one + 3.0 * two)


def test_a_row_of_zero_weight_adds_nothing_even_if_impossible():
    q = DiscretePosterior(np.full((2, 2), 0.5), np.array([-1.0, -np.inf]))
    block = emkit.Block(np.zeros((2, 1)), weights=np.array([2.0, 0.0]))
    assert q.total_log_likelihood(block) == -2.0
