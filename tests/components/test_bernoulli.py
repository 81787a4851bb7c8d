"""The Bernoulli component against scipy.stats, direct optimisation and simulation."""
import numpy as np
import pytest
from scipy import stats

from component_checks import best_permutation, fit_simulated
from emkit import Bernoulli, Block, Mixture, Tree
from emkit.components._discrete import PROBABILITY_FLOOR
from emkit.priors import Beta, Gamma

K, D = 3, 4


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def random_data(rng, n=60):
    return (rng.uniform(size=(n, D)) < rng.uniform(0.2, 0.8, D)).astype(float)


def scipy_log_prob(probs):
    """(n, D) -> (n, K) with scipy.stats.bernoulli."""
    return lambda X: np.stack([stats.bernoulli(p).logpmf(X).sum(axis=1) for p in probs], 1)


@pytest.mark.parametrize("seed", range(3))
def test_log_prob_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    probs, X = rng.uniform(0.01, 0.99, (K, D)), random_data(rng)
    np.testing.assert_allclose(Bernoulli().log_prob(Tree(probs=probs), X),
                               scipy_log_prob(probs)(X), rtol=1e-12)


def test_log_prob_is_exact_at_probabilities_zero_and_one():
    probs = np.array([[0.0, 1.0], [0.3, 0.6]])
    X = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    out = Bernoulli().log_prob(Tree(probs=probs), X)
    np.testing.assert_allclose(out, scipy_log_prob(probs)(X))
    assert out[0, 0] == 0.0 and np.isneginf(out[1, 0]) and np.isneginf(out[2, 0])


def test_log_prob_is_minus_infinity_outside_the_support():
    X = np.array([[0.5, 1.0], [2.0, 0.0], [1.0, 0.0]])
    out = Bernoulli().log_prob(Tree(probs=np.full((2, 2), 0.4)), X)
    assert np.all(np.isneginf(out[:2])) and np.all(np.isfinite(out[2]))


def test_m_step_keeps_probabilities_off_zero_and_one():
    X = np.array([[0.0, 1.0]] * 5)
    probs = Bernoulli().m_step(Bernoulli().expected_stats(None, X, np.ones((5, 1))), None).probs
    np.testing.assert_allclose(probs, [[PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR]], rtol=1e-3)
    assert np.all(np.isfinite(Bernoulli().log_prob(Tree(probs=probs), np.array([[1.0, 0.0]]))))


def test_fixed_probs_are_returned_unchanged(rng):
    params = Tree(probs=rng.uniform(size=(K, D)))
    X = random_data(rng)
    stats_ = Bernoulli().expected_stats(None, X, rng.dirichlet(np.ones(K), 60))
    assert Bernoulli().m_step(stats_, params, fixed={"probs"}) is params


def test_n_parameters_counts_every_probability():
    assert Bernoulli().n_parameters(Tree(probs=np.full((K, D), 0.5))) == K * D


def test_em_recovers_simulated_parameters_with_a_sound_anatomy():
    truth = np.array([[0.9, 0.1, 0.8, 0.2, 0.7], [0.15, 0.85, 0.25, 0.75, 0.3]])
    result = fit_simulated(Bernoulli(), Tree(probs=truth), [0.4, 0.6], 4000, seed=1,
                           n_init=2, tol=1e-8, max_iter=500)
    probs = result.params.components.probs
    order = list(best_permutation(probs, truth))
    np.testing.assert_allclose(probs[order], truth, atol=0.04)
    np.testing.assert_allclose(result.params.weights[order], [0.4, 0.6], atol=0.04)


def test_em_keeps_a_sound_anatomy_when_probabilities_sit_on_the_floor():
    truth = np.array([[0.0, 1.0, 0.5, 0.0], [1.0, 0.0, 0.5, 0.0]])  # feature 3 is never 1
    result = fit_simulated(Bernoulli(), Tree(probs=truth), [0.5, 0.5], 400, seed=2,
                           tol=1e-10, max_iter=200)
    probs = result.params.components.probs
    np.testing.assert_allclose(probs[:, 3], PROBABILITY_FLOOR)
    unseen = np.array([[0.0, 1.0, 1.0, 1.0]])
    assert np.all(np.isfinite(Bernoulli().log_prob(Tree(probs=probs), unseen)))


def test_em_with_a_prior_climbs_the_log_posterior():
    truth = np.array([[0.9, 0.1, 0.8], [0.1, 0.9, 0.3]])
    result = fit_simulated(Bernoulli(prior=Beta(2.0, 2.0)), Tree(probs=truth), [0.5, 0.5],
                           500, seed=3, tol=1e-8, max_iter=500)
    assert result.history.objective_name == "log-posterior"
    log_prior = np.sum(stats.beta(2.0, 2.0).logpdf(result.params.components.probs))
    assert result.objective == pytest.approx(result.log_likelihood + log_prior, rel=1e-12)


@pytest.mark.parametrize("value, row, column", [(2.0, 3, 1), (0.5, 0, 2), (-1.0, 5, 0)])
def test_values_other_than_zero_and_one_are_rejected(value, row, column):
    X = np.zeros((6, 3))
    X[row, column] = value
    with pytest.raises(ValueError, match=rf"X column {column} has value {value!r} at row "
                                         rf"{row}; a Bernoulli component needs values 0 or 1"):
        Bernoulli().validate(X)


def test_nan_is_a_missing_entry_left_out_of_the_density():
    probs = np.array([[0.2, 0.7, 0.5], [0.9, 0.1, 0.4]])
    X = np.array([[1.0, np.nan, 0.0], [np.nan, np.nan, 1.0], [0.0, 1.0, 1.0]])
    expected = np.array([[np.nansum(stats.bernoulli.logpmf(x, p)) for p in probs] for x in X])
    np.testing.assert_allclose(Bernoulli().log_prob(Tree(probs=probs), X), expected, rtol=1e-12)
    Mixture(Bernoulli(), 2).validate(Block(X))
    X[2, 1] = 2.0
    with pytest.raises(ValueError, match="X column 1 has value 2.0 at row 2.*Bernoulli"):
        Mixture(Bernoulli(), 2).validate(Block(X))


def test_a_prior_of_the_wrong_family_is_rejected():
    with pytest.raises(ValueError, match="Bernoulli prior must be an "
                                         "emkit.priors.Beta"):
        Bernoulli(prior=Gamma(2.0, 1.0))
