"""The Uniform component: its own checks, and a Gaussian plus a fixed uniform background."""
import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.components import Gaussian, Uniform
from emkit.engine.tree import Extreme, Tree
from emkit.exceptions import ComponentCollapseError
from emkit.models import Mixture

BOX_LOW, BOX_HIGH = np.array([-10.0, -10.0]), np.array([10.0, 10.0])


def test_a_box_without_width_is_rejected_naming_component_and_column():
    params = Tree(low=np.array([[0.0, 0.0], [1.0, 2.0]]), high=np.array([[1.0, 1.0], [2.0, 2.0]]))
    with pytest.raises(ValueError, match="component 1, column 1 has low=2.0 and high=2.0"):
        Uniform().log_prob(params, np.zeros((3, 2)))


def test_a_component_whose_rows_share_a_value_collapses_with_a_remedy():
    X = np.array([[0.0, 1.0], [0.5, 1.0]])
    stats_ = Uniform().expected_stats(None, X, np.ones((2, 1)))
    with pytest.raises(ComponentCollapseError, match="no width in X column 1.*fixed="):
        Uniform().m_step(stats_, None)


def test_ranges_combine_by_minimum_and_maximum_not_by_sums():
    X = np.array([[0.0], [3.0], [-1.0], [7.0]])
    w = np.array([[1.0], [1.0], [0.0], [2.0]])
    part = (Uniform().expected_stats(None, X[:2], w[:2])
            + Uniform().expected_stats(None, X[2:], w[2:]))
    assert part.lower.value[0, 0] == 0.0 and part.upper.value[0, 0] == 7.0  # row 2 has no weight
    assert part.n[0] == 4.0
    with pytest.raises(ValueError, match="cannot combine"):
        Extreme([1.0], np.minimum) + Extreme([1.0], np.maximum)


def test_an_empty_component_keeps_its_box():
    params = Tree(low=np.array([[0.0], [5.0]]), high=np.array([[1.0], [6.0]]))
    X = np.array([[0.2], [0.7]])
    stats_ = Uniform().expected_stats(params, X, np.array([[1.0, 0.0], [1.0, 0.0]]))
    new = Uniform().m_step(stats_, params)
    np.testing.assert_array_equal(new.low, [[0.2], [5.0]])
    np.testing.assert_array_equal(new.high, [[0.7], [6.0]])


def _signal_with_background(seed=0):
    rng = np.random.default_rng(seed)
    signal = rng.multivariate_normal([1.0, -2.0], [[1.0, 0.4], [0.4, 0.8]], size=300)
    background = rng.uniform(BOX_LOW, BOX_HIGH, size=(100, 2))
    return np.vstack([signal, background])


def _direct_mle(X, low=BOX_LOW, high=BOX_HIGH):
    """Maximise the mixture log-likelihood over (weight, mean, covariance) with scipy."""
    log_background = -np.log(np.prod(high - low))

    def unpack(z):
        chol = np.array([[np.exp(z[3]), 0.0], [z[4], np.exp(z[5])]])
        return 1.0 / (1.0 + np.exp(-z[0])), z[1:3], chol @ chol.T

    def negative_log_lik(z):
        w, mean, cov = unpack(z)
        gaussian = stats.multivariate_normal(mean, cov).logpdf(X)
        return -np.sum(np.logaddexp(np.log(w) + gaussian, np.log1p(-w) + log_background))

    start = np.array([0.0, *X.mean(axis=0), 0.0, 0.0, 0.0])
    return unpack(optimize.minimize(negative_log_lik, start, method="BFGS", tol=1e-10).x)


def test_a_gaussian_with_a_fixed_background_box_reaches_the_direct_mle():
    X = _signal_with_background()
    start = emkit.Tree(weights=np.array([0.5, 0.5]), components=emkit.Tree(
        c0=emkit.Tree(means=X.mean(axis=0)[None], covariances=np.cov(X.T)[None]),
        c1=emkit.Tree(low=BOX_LOW[None], high=BOX_HIGH[None])))
    model = Mixture([Gaussian(reg_covar=0.0), Uniform()], 2)
    result = emkit.fit(model, X, init=start, fixed={"low", "high"}, tol=1e-12, max_iter=2000)
    weight, mean, cov = _direct_mle(X)
    assert result.params.weights[0] == pytest.approx(weight, abs=1e-5)
    np.testing.assert_allclose(result.params.components.c0.means[0], mean, atol=1e-5)
    np.testing.assert_allclose(result.params.components.c0.covariances[0], cov, atol=1e-5)
    np.testing.assert_array_equal(result.params.components.c1.low, BOX_LOW[None])


def test_the_default_start_covers_the_data_so_a_fixed_background_needs_no_box():
    X = _signal_with_background(seed=1)
    n = X.shape[0]
    margin = (X.max(axis=0) - X.min(axis=0)) / (n - 1)   # unbiased end points from n draws
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    model = emkit.MixtureModel([Gaussian(reg_covar=0.0), Uniform()], 2, fixed={"low", "high"},
                               random_state=0, tol=1e-12, max_iter=2000).fit(X)
    np.testing.assert_allclose(model.components_.c1.low, low[None], rtol=1e-12)
    np.testing.assert_allclose(model.components_.c1.high, high[None], rtol=1e-12)
    weight, mean, _ = _direct_mle(X, low, high)
    assert model.weights_[0] == pytest.approx(weight, abs=1e-5)
    np.testing.assert_allclose(model.components_.c0.means[0], mean, atol=1e-5)
    assert abs(model.weights_[0] - 0.75) < 0.05   # 300 signal rows of 400


def test_every_component_starts_from_the_same_covering_box():
    X = np.array([[0.0, 1.0], [2.0, 5.0], [1.0, 3.0]])
    start = Uniform().init_params(X, np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]), None)
    np.testing.assert_array_equal(start.low, [[-1.0, -1.0], [-1.0, -1.0]])
    np.testing.assert_array_equal(start.high, [[3.0, 7.0], [3.0, 7.0]])
