"""The Poisson component against scipy.stats, direct optimisation and simulation."""
import numpy as np
import pytest
from scipy import stats

from component_checks import best_permutation, fit_simulated
import emkit
from emkit import Block, Mixture, Poisson, Tree
from emkit.components._discrete import PROBABILITY_FLOOR
from emkit.priors import Beta, Gamma

K, D = 3, 4


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def random_data(rng, n=60):
    return rng.poisson(rng.uniform(0.5, 6, D), (n, D)).astype(float)


def scipy_log_prob(rates):
    return lambda X: np.stack([stats.poisson(r).logpmf(X).sum(axis=1) for r in rates], 1)


@pytest.mark.parametrize("seed", range(3))
def test_log_prob_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    rates, X = rng.uniform(0.1, 10, (K, D)), random_data(rng)
    np.testing.assert_allclose(Poisson().log_prob(Tree(rates=rates), X),
                               scipy_log_prob(rates)(X), rtol=1e-12)


def test_log_prob_matches_scipy_for_large_counts():
    rates = np.array([[2e4], [5e4]])
    X = np.array([[0.0], [1.0], [19_000.0], [50_321.0]])
    # x log(rate), rate and log(x!) are ~5e5 here and cancel: allow 1e-15 of their size
    np.testing.assert_allclose(Poisson().log_prob(Tree(rates=rates), X),
                               scipy_log_prob(rates)(X), rtol=1e-12, atol=1e-9)


def test_log_prob_is_minus_infinity_outside_the_support():
    X = np.array([[1.5, 0.0], [-1.0, 2.0], [np.inf, 1.0], [3.0, 0.0]])
    out = Poisson().log_prob(Tree(rates=np.full((2, 2), 2.0)), X)
    assert np.all(np.isneginf(out[:3])) and np.all(np.isfinite(out[3]))


def test_m_step_keeps_rates_positive():
    X = np.zeros((6, 2))
    rates = Poisson().m_step(Poisson().expected_stats(None, X, np.ones((6, 1))), None).rates
    np.testing.assert_allclose(rates, PROBABILITY_FLOOR)
    assert np.all(np.isfinite(Poisson().log_prob(Tree(rates=rates), np.array([[1.0, 3.0]]))))


def test_n_parameters_counts_every_rate():
    assert Poisson().n_parameters(Tree(rates=np.ones((K, D)))) == K * D


def test_em_recovers_simulated_parameters_with_a_sound_anatomy():
    truth = np.array([[1.0, 5.0, 10.0], [8.0, 2.0, 0.5]])
    result = fit_simulated(Poisson(), Tree(rates=truth), [0.35, 0.65], 3000, seed=4,
                           tol=1e-8, max_iter=500)
    rates = result.params.components.rates
    order = list(best_permutation(rates, truth))
    np.testing.assert_allclose(rates[order], truth, rtol=0.08)
    np.testing.assert_allclose(result.params.weights[order], [0.35, 0.65], atol=0.03)


def test_sample_weights_in_a_fit_equal_duplicated_rows(rng):
    X = random_data(rng, 80)
    repeats = rng.integers(0, 4, 80)
    start = Tree(weights=[0.4, 0.6], components=Tree(rates=[[1.0, 2, 3, 4], [4.0, 3, 2, 1]]))
    model = Mixture(Poisson(), 2)
    weighted = emkit.fit(model, Block(X, weights=repeats.astype(float)), init=start, tol=1e-10,
                         max_iter=300)
    duplicated = emkit.fit(model, np.repeat(X, repeats, axis=0), init=start, tol=1e-10,
                           max_iter=300)
    np.testing.assert_allclose(weighted.params.components.rates,
                               duplicated.params.components.rates, rtol=1e-9)
    assert weighted.log_likelihood == pytest.approx(duplicated.log_likelihood, rel=1e-12)


def test_em_with_a_prior_climbs_the_log_posterior():
    truth = np.array([[1.0, 6.0], [7.0, 1.5]])
    result = fit_simulated(Poisson(prior=Gamma(2.0, 1.0)), Tree(rates=truth), [0.5, 0.5],
                           400, seed=6, tol=1e-8, max_iter=500)
    assert result.history.objective_name == "log-posterior"
    log_prior = np.sum(stats.gamma(2.0).logpdf(result.params.components.rates))
    assert result.objective == pytest.approx(result.log_likelihood + log_prior, rel=1e-12)


@pytest.mark.parametrize("value, row, column", [(3.5, 17, 2), (-2.0, 0, 0)])
def test_negative_or_fractional_counts_are_rejected(value, row, column):
    X = np.ones((20, 3))
    X[row, column] = value
    with pytest.raises(ValueError, match=rf"X column {column} has value {value!r} at row {row}"
                                         r"; a Poisson component needs non-negative integer "
                                         r"counts\. Round or remove the value\."):
        Poisson().validate(X)


def test_infinity_is_rejected_by_the_finite_check():
    X = np.ones((20, 3))
    X[5, 1] = np.inf
    with pytest.raises(ValueError, match=r"X column 1 has infinity at row 5.*Poisson component "
                                         r"needs finite values"):
        Poisson().validate(X)


def test_nan_is_a_missing_count_left_out_of_the_density():
    rates = np.array([[1.5, 4.0, 0.3], [6.0, 0.5, 2.0]])
    X = np.array([[1.0, np.nan, 0.0], [np.nan, np.nan, 3.0], [2.0, 7.0, 1.0]])
    expected = np.array([[np.nansum(stats.poisson.logpmf(x, rate)) for rate in rates] for x in X])
    np.testing.assert_allclose(Poisson().log_prob(Tree(rates=rates), X), expected, rtol=1e-12)
    Mixture(Poisson(), 2).validate(Block(X))
    X[0, 0] = 1.5
    with pytest.raises(ValueError, match="X column 0 has value 1.5 at row 0.*Poisson"):
        Mixture(Poisson(), 2).validate(Block(X))


def test_a_prior_of_the_wrong_family_is_rejected():
    with pytest.raises(ValueError, match="Poisson prior must be an "
                                         "emkit.priors.Gamma"):
        Poisson(prior=Beta(2.0, 2.0))
