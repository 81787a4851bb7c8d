"""The Gamma component against scipy.stats.gamma and direct maximisation."""
import numpy as np
import pytest
from scipy import stats
from scipy.special import digamma

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError, ComponentCollapseWarning

from continuous_reference import (assert_additive, assert_em_anatomy,
                                  assert_weights_are_duplicates, maximise)

PARAMS = Tree(shapes=np.array([[0.7, 2.0], [5.0, 1.2]]),
              rates=np.array([[1.0, 0.5], [2.0, 3.0]]))


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.gamma(2.0, 1.5, size=(80, 2))
    weights = rng.uniform(0.1, 1.0, size=(80, 2))
    return X, weights


def scipy_log_prob(X, params):
    return np.stack([stats.gamma(a, scale=1 / b).logpdf(X).sum(axis=1)
                     for a, b in zip(params.shapes, params.rates)], axis=1)


def test_log_prob_matches_scipy(data):
    X, _ = data
    np.testing.assert_allclose(emkit.Gamma().log_prob(PARAMS, X), scipy_log_prob(X, PARAMS),
                               rtol=1e-13)


def test_statistics_add_up_and_weights_are_duplicates(data):
    X, weights = data
    assert_additive(emkit.Gamma(), PARAMS, X, weights)
    assert_weights_are_duplicates(emkit.Gamma(), PARAMS, X, weights, np.random.default_rng(1))


def weighted_loglik(x, w, shape=None, rate=None):
    """Weighted Gamma log-likelihood over the log of the free parameters."""
    def objective(theta):
        free = iter(np.exp(theta))
        a = shape if shape is not None else next(free)
        b = rate if rate is not None else next(free)
        return np.sum(w * stats.gamma(a, scale=1 / b).logpdf(x))
    return objective


def test_m_step_is_the_weighted_mle(data):
    X, weights = data
    component = emkit.Gamma()
    new = component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS)
    for k in range(2):
        for d in range(2):
            theta = maximise(weighted_loglik(X[:, d], weights[:, k]), [0.0, 0.0])
            np.testing.assert_allclose([new.shapes[k, d], new.rates[k, d]], np.exp(theta),
                                       rtol=1e-6)


@pytest.mark.parametrize("fixed", ["shapes", "rates"])
def test_conditional_m_step_maximises_over_the_free_parameter(data, fixed):
    X, weights = data
    component = emkit.Gamma()
    new = component.m_step(component.expected_stats(PARAMS, X, weights), PARAMS,
                           fixed={fixed})
    free = "rates" if fixed == "shapes" else "shapes"
    np.testing.assert_array_equal(new[fixed], PARAMS[fixed])
    for k in range(2):
        for d in range(2):
            held = {fixed[:-1]: PARAMS[fixed][k, d]}
            theta = maximise(weighted_loglik(X[:, d], weights[:, k], **held), [0.0])
            assert new[free][k, d] == pytest.approx(np.exp(theta[0]), rel=1e-6)


def test_shape_solves_its_equation_to_machine_precision():
    rng = np.random.default_rng(4)
    X = rng.gamma(50.0, 1.0, size=(500, 1))
    component = emkit.Gamma()
    stats_ = component.expected_stats(None, X, np.ones((500, 1)))
    shape = component.m_step(stats_, None).shapes[0, 0]
    target = np.log(X.mean()) - np.log(X).mean()
    assert np.log(shape) - digamma(shape) == pytest.approx(target, rel=1e-12)


def test_expected_log_prob_is_the_weighted_log_density(data):
    X, weights = data
    component = emkit.Gamma()
    stats_ = component.expected_stats(PARAMS, X, weights)
    other = Tree(shapes=PARAMS.shapes * 1.3, rates=PARAMS.rates * 0.8)
    for params in (PARAMS, other):
        expected = np.sum(weights * scipy_log_prob(X, params))
        assert component.expected_log_prob(stats_, params) == pytest.approx(expected, rel=1e-12)


def test_samples_follow_the_density():
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], 2000)
    X = emkit.Gamma().sample(PARAMS, labels, rng)
    for k in range(2):
        for d in range(2):
            cdf = stats.gamma(PARAMS.shapes[k, d], scale=1 / PARAMS.rates[k, d]).cdf
            assert stats.kstest(X[labels == k, d], cdf).pvalue > 1e-3


def test_em_recovers_the_parameters_with_exact_anatomy():
    truth = Tree(shapes=np.array([[2.0, 9.0], [12.0, 1.5]]),
                 rates=np.array([[2.0, 1.0], [2.0, 0.5]]))
    rng = np.random.default_rng(3)
    labels = rng.choice(2, size=4000, p=[0.3, 0.7])
    X = emkit.Gamma().sample(truth, labels, rng)
    result = emkit.fit(emkit.Mixture(emkit.Gamma(), 2), X, random_state=0, tol=1e-10,
                       max_iter=500)
    assert_em_anatomy(result)
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
    (0.0, "X column 0 has a value outside the support of the Gamma family: "
          "expected values > 0, got 0.0 at row 1"),
    (-3.0, "X column 0 .* Gamma family: expected values > 0, got -3.0"),
    (np.nan, "X column 0 contains NaN.*Gamma family.*no missing-data support"),
])
def test_bad_values_are_named_by_column_and_family(value, pattern):
    X = np.ones((3, 2))
    X[1, 0] = value
    with pytest.raises(ValueError, match=pattern):
        emkit.Gamma().validate(X)
