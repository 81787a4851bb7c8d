"""The Exponential component against scipy.stats.expon and direct maximisation."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError
from emkit.priors import Gamma as GammaPrior
from emkit.testing import Product

from component_checks import assert_em_anatomy, assert_log_densities_match, fit_simulated

RATES = np.array([[0.5, 2.0, 1.0], [3.0, 0.2, 1.5]])
PARAMS = Tree(rates=RATES)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.exponential(1.0, size=(60, 3))
    weights = rng.uniform(0.1, 1.0, size=(60, 2))
    return X, weights


def exponential_law(params, k):
    return Product([stats.expon(scale=1 / r) for r in params.rates[k]])


def test_log_densities_match_scipy_to_twelve_digits(data):
    X, weights = data
    other = Tree(rates=RATES * 1.7)
    assert_log_densities_match(emkit.Exponential(), exponential_law, PARAMS, other, X, weights,
                               log_prob_rtol=1e-13)


def test_log_prior_is_the_gamma_density():
    component = emkit.Exponential(prior=GammaPrior(3.0, 2.0))
    expected = stats.gamma(3.0, scale=0.5).logpdf(RATES).sum()
    assert component.log_prior(PARAMS) == pytest.approx(expected, rel=1e-12)
    assert emkit.Exponential().log_prior(PARAMS) == 0.0


def test_fixed_rates_are_kept(data):
    X, weights = data
    component = emkit.Exponential()
    new = component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS,
                           fixed={"rates"})
    np.testing.assert_array_equal(new.rates, RATES)


def test_em_recovers_the_rates_with_exact_anatomy():
    truth = Tree(rates=np.array([[0.2, 5.0], [4.0, 0.3]]))
    result = fit_simulated(emkit.Exponential(), truth, [0.4, 0.6], 3000, seed=3, tol=1e-9,
                           max_iter=500)
    order = np.argsort(result.params.components.rates[:, 0])
    np.testing.assert_allclose(result.params.components.rates[order], truth.rates, rtol=0.1)
    np.testing.assert_allclose(result.params.weights[order], [0.4, 0.6], atol=0.03)


def test_empty_component_collapses_with_its_index(data):
    X, weights = data
    weights = weights.copy()
    weights[:, 1] = 0.0
    component = emkit.Exponential()
    with pytest.raises(ComponentCollapseError, match="component 1 collapsed.*no responsib"):
        component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS)


@pytest.mark.parametrize("value, pattern", [
    (-0.5, "X column 1 has value -0.5 at row 2; an Exponential component needs values >= 0"),
    (np.inf, "X column 1 has infinity at row 2.*Exponential component needs finite values"),
])
def test_bad_values_are_named_by_column_and_family(value, pattern):
    X = np.ones((4, 3))
    X[2, 1] = value
    with pytest.raises(ValueError, match=pattern):
        emkit.Exponential().validate(X)


def test_zero_is_in_the_support():
    emkit.Exponential().validate(np.zeros((3, 2)))


def test_prior_must_be_a_gamma():
    with pytest.raises(ValueError, match="prior must be an emkit.priors.Gamma"):
        emkit.Exponential(prior=3.0)


def test_em_with_a_prior_climbs_the_log_posterior():
    rng = np.random.default_rng(4)
    X = rng.exponential([[1.0, 0.2]], size=(200, 2))
    component = emkit.Exponential(prior=GammaPrior(2.0, 1.0))
    result = emkit.fit(emkit.Mixture(component, 2), X, random_state=0, tol=1e-9,
                       max_iter=300)
    assert result.history.objective_name == "log-posterior"
    assert_em_anatomy(result)
    assert result.objective == pytest.approx(
        result.log_likelihood + component.log_prior(result.params.components), rel=1e-12)
