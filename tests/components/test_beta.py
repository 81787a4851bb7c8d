"""The Beta component against scipy.stats.beta and direct maximisation."""
import numpy as np
import pytest
from scipy import stats
from scipy.special import digamma

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError
from emkit.testing import Product

from component_checks import (assert_conditional_m_step_maximises, assert_log_densities_match,
                              fit_simulated)

PARAMS = Tree(a=np.array([[0.5, 2.0], [5.0, 1.2]]), b=np.array([[0.8, 6.0], [2.0, 30.0]]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.beta(2.0, 3.0, size=(80, 2))
    weights = rng.uniform(0.1, 1.0, size=(80, 2))
    return X, weights


def beta_law(params, k):
    return Product([stats.beta(a, b) for a, b in zip(params.a[k], params.b[k])])


def test_log_densities_match_scipy_to_twelve_digits(data):
    X, weights = data
    other = Tree(a=PARAMS.a * 1.3, b=PARAMS.b * 0.7)
    assert_log_densities_match(emkit.Beta(), beta_law, PARAMS, other, X, weights,
                               log_prob_rtol=1e-12)


@pytest.mark.parametrize("fixed", ["a", "b"])
def test_conditional_m_step_maximises_over_the_free_parameter(data, fixed):
    X, weights = data
    assert_conditional_m_step_maximises(emkit.Beta(), beta_law, PARAMS, X, weights, {fixed})


@pytest.mark.parametrize("a, b", [(0.05, 0.08), (1.0, 1.0), (300.0, 40.0), (2e3, 5e3)])
def test_newton_solves_the_likelihood_equations_tightly(a, b):
    rng = np.random.default_rng(6)
    X = np.clip(rng.beta(a, b, size=(2000, 1)), 1e-300, 1 - 1e-16)
    component = emkit.Beta()
    stats_ = component.expected_stats(None, X, np.ones((2000, 1)))
    new = component.m_step(stats_, None)
    fa, fb = new.a[0, 0], new.b[0, 0]
    # the score equations: digamma(a) - digamma(a + b) = mean log x, and likewise for b
    assert digamma(fa) - digamma(fa + fb) == pytest.approx(np.log(X).mean(), rel=1e-11)
    assert digamma(fb) - digamma(fa + fb) == pytest.approx(np.log1p(-X).mean(), rel=1e-11)


def test_em_recovers_the_parameters_with_exact_anatomy():
    truth = Tree(a=np.array([[2.0, 20.0], [15.0, 3.0]]), b=np.array([[10.0, 4.0], [5.0, 9.0]]))
    result = fit_simulated(emkit.Beta(), truth, [0.4, 0.6], 3000, seed=3, tol=1e-10,
                           max_iter=300)
    fitted = result.params.components
    order = np.argsort(fitted.a[:, 0])
    np.testing.assert_allclose(fitted.a[order], truth.a, rtol=0.15)
    np.testing.assert_allclose(fitted.b[order], truth.b, rtol=0.15)
    np.testing.assert_allclose(result.params.weights[order], [0.4, 0.6], atol=0.03)


def test_identical_values_collapse():
    X = np.array([[0.3], [0.3], [0.3], [0.6], [0.7]])
    weights = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 2)
    component = emkit.Beta()
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed: its values are "
                                                     "all equal"):
        component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS)


@pytest.mark.parametrize("value, pattern", [
    (1.0, r"X column 1 has value 1.0 at row 2; a Beta component needs values in \(0, 1\)"),
    (0.0, r"X column 1 has value 0.0 at row 2; a Beta component needs values in \(0, 1\)"),
    (-0.2, r"X column 1 has value -0.2 at row 2; a Beta component needs values in \(0, 1\)"),
    (np.nan, "X column 1 has NaN at row 2.*Beta component has no missing-data support"),
])
def test_bad_values_are_named_by_column_and_family(value, pattern):
    X = np.full((3, 2), 0.5)
    X[2, 1] = value
    with pytest.raises(ValueError, match=pattern):
        emkit.Beta().validate(X)
