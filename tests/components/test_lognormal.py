"""The LogNormal component against scipy.stats.lognorm and direct maximisation."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit import Tree
from emkit.engine.init import initial_responsibilities
from emkit.exceptions import ComponentCollapseError
from emkit.testing import Product

from component_checks import (assert_conditional_m_step_maximises, assert_log_densities_match,
                              fit_simulated)

PARAMS = Tree(means=np.array([[0.0, 2.0], [1.0, -1.0]]),
              variances=np.array([[0.5, 1.0], [0.2, 2.0]]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.lognormal(0.5, 1.0, size=(70, 2))
    weights = rng.uniform(0.1, 1.0, size=(70, 2))
    return X, weights


def lognormal_law(params, k):
    return Product([stats.lognorm(np.sqrt(v), scale=np.exp(m))
                    for m, v in zip(params.means[k], params.variances[k])])


def test_log_densities_match_scipy_to_twelve_digits(data):
    X, weights = data
    other = Tree(means=PARAMS.means + 0.3, variances=PARAMS.variances * 1.5)
    assert_log_densities_match(emkit.LogNormal(), lognormal_law, PARAMS, other, X, weights,
                               log_prob_rtol=1e-13)


def test_conditional_m_step_with_fixed_means_maximises_over_the_variances(data):
    X, weights = data
    assert_conditional_m_step_maximises(emkit.LogNormal(reg_covar=0.0), lognormal_law, PARAMS,
                                        X, weights, {"means"})


def test_statistics_are_centred_for_precision():
    """Tightly concentrated values far from 1: variance of log x is still exact."""
    rng = np.random.default_rng(5)
    log_x = 30.0 + 1e-6 * rng.standard_normal((1000, 1))
    X = np.exp(log_x)
    component = emkit.LogNormal(reg_covar=0.0)
    start = Tree(means=np.array([[30.0]]), variances=np.array([[1.0]]))
    new = component.m_step(component.expected_stats(start, X, np.ones((1000, 1))), start)
    assert new.variances[0, 0] == pytest.approx(np.log(X).var(), rel=1e-6)


def test_em_recovers_the_parameters_with_exact_anatomy():
    truth = Tree(means=np.array([[0.0, 3.0], [3.0, 0.0]]),
                 variances=np.array([[0.3, 0.5], [0.4, 0.2]]))
    result = fit_simulated(emkit.LogNormal(), truth, [0.5, 0.5], 3000, seed=3, tol=1e-10,
                           max_iter=300, init=_log_kmeans)
    fitted = result.params.components
    order = np.argsort(fitted.means[:, 0])
    np.testing.assert_allclose(fitted.means[order], truth.means, atol=0.05)
    np.testing.assert_allclose(fitted.variances[order], truth.variances, rtol=0.1)


def _log_kmeans(block, rng):
    """Start from k-means on log x (raw log-normal values are too skewed for k-means)."""
    model = emkit.Mixture(emkit.LogNormal(), 2)
    resp = initial_responsibilities("kmeans", np.log(block.X), 2, rng)
    return model.params_from_posterior(block, resp)


def test_single_point_component_collapses():
    X = np.array([[2.0], [3.0], [4.0]])
    weights = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    component = emkit.LogNormal(reg_covar=0.0)
    start = Tree(means=np.zeros((2, 1)), variances=np.ones((2, 1)))
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed"):
        component.m_step(component.expected_stats(start, X, weights), start)


@pytest.mark.parametrize("value, pattern", [
    (0.0, "X column 2 has value 0.0 at row 0; a LogNormal component needs values > 0"),
    (np.inf, "X column 2 has infinity at row 0.*LogNormal component"),
])
def test_bad_values_are_named_by_column_and_family(value, pattern):
    X = np.ones((3, 3))
    X[0, 2] = value
    with pytest.raises(ValueError, match=pattern):
        emkit.LogNormal().validate(X)
