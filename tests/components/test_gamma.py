"""The Gamma component against scipy.stats.gamma and direct maximisation."""
import numpy as np
import pytest
from scipy import stats
from scipy.special import digamma

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError, ComponentCollapseWarning
from emkit.testing import Product

from component_checks import (assert_conditional_m_step_maximises, assert_log_densities_match,
                              fit_simulated)

PARAMS = Tree(shapes=np.array([[0.7, 2.0], [5.0, 1.2]]),
              rates=np.array([[1.0, 0.5], [2.0, 3.0]]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, 1.5, size=(80, 2))
    weights = rng.uniform(0.1, 1.0, size=(80, 2))
    return X, weights


def gamma_law(params, k):
    return Product([stats.gamma(a, scale=1 / b) for a, b in zip(params.shapes[k],
                                                                 params.rates[k])])


def test_log_densities_match_scipy_to_twelve_digits(data):
    X, weights = data
    other = Tree(shapes=PARAMS.shapes * 1.3, rates=PARAMS.rates * 0.8)
    assert_log_densities_match(emkit.Gamma(), gamma_law, PARAMS, other, X, weights,
                               log_prob_rtol=1e-13)


@pytest.mark.parametrize("fixed", ["shapes", "rates"])
def test_conditional_m_step_maximises_over_the_free_parameter(data, fixed):
    X, weights = data
    assert_conditional_m_step_maximises(emkit.Gamma(), gamma_law, PARAMS, X, weights, {fixed})


@pytest.mark.parametrize("true_shape", [0.3, 2.0, 50.0])
def test_shape_solves_its_equation_to_machine_precision(true_shape):
    """Below and above 20, where log(a) - digamma(a) switches to its asymptotic series."""
    rng = np.random.default_rng(4)
    X = rng.gamma(true_shape, 1.0, size=(500, 1))
    component = emkit.Gamma()
    stats_ = component.expected_stats(None, X, np.ones((500, 1)))
    shape = component.m_step(stats_, None).shapes[0, 0]
    target = np.log(X.mean()) - np.log(X).mean()
    assert np.log(shape) - digamma(shape) == pytest.approx(target, rel=1e-12)


def test_em_recovers_the_parameters_with_exact_anatomy():
    truth = Tree(shapes=np.array([[2.0, 9.0], [12.0, 1.5]]),
                 rates=np.array([[2.0, 1.0], [2.0, 0.5]]))
    result = fit_simulated(emkit.Gamma(), truth, [0.3, 0.7], 4000, seed=3, tol=1e-10,
                           max_iter=500)
    fitted = result.params.components
    order = np.argsort(fitted.shapes[:, 0])
    np.testing.assert_allclose(fitted.shapes[order], truth.shapes, rtol=0.15)
    np.testing.assert_allclose(fitted.rates[order], truth.rates, rtol=0.15)
    np.testing.assert_allclose(result.params.weights[order], [0.3, 0.7], atol=0.03)


def test_identical_values_collapse_by_policy():
    X = np.array([[2.0], [2.0], [2.0], [5.0], [7.0]])
    weights = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    previous = Tree(shapes=np.ones((2, 1)), rates=np.ones((2, 1)))
    stats_ = emkit.Gamma().expected_stats(previous, X, weights)
    with pytest.raises(ComponentCollapseError, match="component 0 collapsed: its values are "
                                                     "all equal"):
        emkit.Gamma().m_step(stats_, previous)
    with pytest.warns(ComponentCollapseWarning, match="component 0"):
        kept = emkit.Gamma(on_collapse="keep").m_step(stats_, previous)
    assert kept.shapes[0, 0] == 1.0 and kept.rates[0, 0] == 1.0


@pytest.mark.parametrize("value, pattern", [
    (0.0, "X column 0 has value 0.0 at row 1; a Gamma component needs values > 0"),
    (-3.0, "X column 0 has value -3.0 at row 1; a Gamma component needs values > 0"),
    (np.inf, "X column 0 has infinity at row 1.*Gamma component needs finite values"),
])
def test_bad_values_are_named_by_column_and_family(value, pattern):
    X = np.ones((3, 2))
    X[1, 0] = value
    with pytest.raises(ValueError, match=pattern):
        emkit.Gamma().validate(X)


def test_keep_policy_initialises_a_collapsed_component_from_all_the_rows():
    X = np.vstack([np.random.default_rng(0).gamma(2.0, 1.0, (40, 1)), [[1.0], [1.0]]])
    resp = np.zeros((42, 2))
    resp[:40, 0], resp[40:, 1] = 1.0, 1.0  # component 1 holds two equal values
    with pytest.raises(ComponentCollapseError, match=r"its values are all equal.*or pass "
                                                     r"on_collapse='keep'"):
        emkit.Gamma().init_params(X, resp, None)
    with pytest.warns(ComponentCollapseWarning, match="component 1 collapsed"):
        params = emkit.Gamma(on_collapse="keep").init_params(X, resp, None)
    pooled = emkit.Gamma().init_params(X, np.ones((42, 1)), None)
    np.testing.assert_allclose(params.shapes[1], pooled.shapes[0], rtol=1e-12)
    np.testing.assert_allclose(params.rates[1], pooled.rates[0], rtol=1e-12)
