"""The Multinomial component against scipy.stats, direct optimisation and simulation."""
import numpy as np
import pytest
from scipy import stats

import emkit
from component_checks import assert_em_anatomy, best_permutation, fit_simulated
from emkit import Block, Mixture, Multinomial, Tree
from emkit.priors import Dirichlet, Gamma

K, C = 3, 4


@pytest.fixture
def rng():
    return np.random.default_rng(13)


def random_data(rng, n=60):
    """Count vectors with totals that differ from row to row (zero included)."""
    totals = rng.integers(0, 25, n)
    return np.array([rng.multinomial(t, rng.dirichlet(np.ones(C))) for t in totals], float)


def scipy_log_prob(probs):
    def log_prob(X):
        return np.array([[stats.multinomial(x.sum(), p).logpmf(x) for p in probs] for x in X])
    return log_prob


@pytest.mark.parametrize("seed", range(3))
def test_log_prob_matches_scipy_including_the_coefficient(seed):
    rng = np.random.default_rng(seed)
    probs, X = rng.dirichlet(np.ones(C), K), random_data(rng)
    np.testing.assert_allclose(Multinomial().log_prob(Tree(probs=probs), X),
                               scipy_log_prob(probs)(X), rtol=1e-12, atol=1e-12)


def test_log_prob_is_exact_with_zero_probabilities():
    probs = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    X = np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    out = Multinomial().log_prob(Tree(probs=probs), X)
    np.testing.assert_allclose(out, scipy_log_prob(probs)(X))
    assert np.isneginf(out[1, 0])


def test_log_prob_is_minus_infinity_outside_the_support():
    X = np.array([[1.5, 1.0], [-1.0, 2.0], [2.0, 3.0]])
    out = Multinomial().log_prob(Tree(probs=np.full((2, 2), 0.5)), X)
    assert np.all(np.isneginf(out[:2])) and np.all(np.isfinite(out[2]))


def test_sample_needs_n_trials():
    with pytest.raises(ValueError, match=r"Multinomial\(n_trials=...\)"):
        Multinomial().sample(Tree(probs=[[0.5, 0.5]]), np.zeros(3, int), np.random.RandomState(0))


def test_n_parameters_counts_free_probabilities():
    assert Multinomial().n_parameters(Tree(probs=np.full((K, C), 1 / C))) == K * (C - 1)


def test_em_recovers_simulated_parameters_with_a_sound_anatomy():
    truth = np.array([[0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.3, 0.5]])
    result = fit_simulated(Multinomial(n_trials=20), Tree(probs=truth), [0.3, 0.7], 2000,
                           seed=5, tol=1e-8, max_iter=500)
    probs = result.params.components.probs
    order = list(best_permutation(probs, truth))
    np.testing.assert_allclose(probs[order], truth, atol=0.02)


def test_em_with_row_totals_that_differ(rng):
    truth = np.array([[0.6, 0.2, 0.1, 0.1], [0.05, 0.15, 0.3, 0.5]])
    labels = rng.integers(0, 2, 1500)
    X = np.array([rng.multinomial(rng.integers(5, 40), truth[z]) for z in labels], float)
    result = emkit.fit(Mixture(Multinomial(prior=Dirichlet(1.5)), 2), X, random_state=0,
                       tol=1e-8, max_iter=500)
    assert_em_anatomy(result)
    probs = result.params.components.probs
    np.testing.assert_allclose(probs[list(best_permutation(probs, truth))], truth, atol=0.02)


@pytest.mark.parametrize("value, row, column", [(-3.0, 1, 2), (0.25, 3, 0)])
def test_negative_or_fractional_counts_are_rejected(value, row, column):
    X = np.ones((4, 3))
    X[row, column] = value
    with pytest.raises(ValueError, match=rf"X column {column} has value {value!r} at row {row}"
                                         r"; a Multinomial component needs non-negative "
                                         r"integer counts"):
        Multinomial().validate(X)


def test_nan_is_rejected_through_the_mixture():
    X = np.ones((4, 3))
    X[2, 0] = np.nan
    with pytest.raises(ValueError, match="X column 0 has NaN at row 2.*Multinomial"):
        Mixture(Multinomial(), 2).validate(Block(X))


def test_a_prior_that_does_not_fit_the_columns_is_rejected():
    with pytest.raises(ValueError, match="3 concentrations but there are 2 categories"):
        Multinomial(prior=Dirichlet([2.0, 2.0, 2.0])).validate(np.ones((3, 2)))
    with pytest.raises(ValueError, match="must be an emkit.priors.Dirichlet"):
        Multinomial(prior=Gamma(2.0, 1.0))
