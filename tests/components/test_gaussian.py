"""The Gaussian component against scipy.stats, and its collapse policy."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit.engine import Tree
from emkit.exceptions import ComponentCollapseError, ComponentCollapseWarning
from conftest import COVARIANCE_TYPES

RNG = np.random.RandomState(0)
K, D = 3, 4


def _random_covariances(covariance_type):
    def spd():
        a = RNG.randn(D, D)
        return a @ a.T + D * np.eye(D)

    return {"full": lambda: np.stack([spd() for _ in range(K)]), "tied": spd,
            "diag": lambda: RNG.uniform(0.5, 2.0, (K, D)),
            "spherical": lambda: RNG.uniform(0.5, 2.0, K)}[covariance_type]()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_prob_matches_scipy(covariance_type):
    component = emkit.Gaussian(covariance_type)
    params = Tree(means=RNG.randn(K, D) * 3, covariances=_random_covariances(covariance_type))
    X = RNG.randn(50, D) * 3
    full = component.full_covariances(params)
    expected = np.column_stack([stats.multivariate_normal(m, c).logpdf(X)
                                for m, c in zip(params.means, full)])
    np.testing.assert_allclose(component.log_prob(params, X), expected, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_expected_log_prob_from_statistics_equals_the_direct_sum(covariance_type):
    component = emkit.Gaussian(covariance_type)
    params = Tree(means=RNG.randn(K, D), covariances=_random_covariances(covariance_type))
    other = Tree(means=RNG.randn(K, D), covariances=_random_covariances(covariance_type))
    X, W = RNG.randn(80, D) + 100.0, RNG.dirichlet(np.ones(K), 80)
    stats_ = component.expected_stats(params, X, W)  # anchored at params.means
    for at in (params, other):
        direct = np.sum(W * component.log_prob(at, X))
        assert component.expected_log_prob(stats_, at) == pytest.approx(direct, rel=1e-12)


def test_statistics_are_additive_and_weights_equal_duplicated_rows():
    component = emkit.Gaussian("full")
    params = Tree(means=RNG.randn(K, D), covariances=_random_covariances("full"))
    X, W = RNG.randn(30, D), RNG.dirichlet(np.ones(K), 30)
    whole = component.expected_stats(params, X, W)
    parts = component.expected_stats(params, X[:11], W[:11]) + component.expected_stats(
        params, X[11:], W[11:])
    for name in ("n", "first", "second"):
        np.testing.assert_allclose(getattr(parts.moments, name), getattr(whole.moments, name),
                                   rtol=1e-12)
    twice = component.expected_stats(params, X, 2 * W)
    doubled = component.expected_stats(params, np.vstack([X, X]), np.vstack([W, W]))
    np.testing.assert_allclose(twice.moments.second, doubled.moments.second, rtol=1e-12)


def test_centred_statistics_keep_precision_far_from_the_origin():
    """Raw second moments lose every digit of a unit variance at an offset of 1e8."""
    X = RNG.randn(2000, 2) + 1e8
    model = emkit.Mixture(emkit.Gaussian("full", reg_covar=0.0), 1)
    result = emkit.fit(model, X, max_iter=3, tol=0)
    expected = np.cov(X - 1e8, rowvar=False, bias=True)
    np.testing.assert_allclose(result.params.components.covariances[0], expected, rtol=1e-6)


def _collapsing_fit(on_collapse):
    X = np.vstack([RNG.randn(40, 2), [[50.0, 50.0]]])
    model = emkit.Mixture(emkit.Gaussian("full", reg_covar=0.0, on_collapse=on_collapse), 2)
    start = Tree(weights=np.array([0.9, 0.1]), components={
        "means": np.array([[0.0, 0.0], [50.0, 50.0]]),
        "covariances": np.stack([np.eye(2), np.eye(2)])})
    return emkit.engine.fit(model, X, init=start, max_iter=3, tol=0), start


def test_a_single_point_component_raises_naming_index_cause_and_remedy():
    with pytest.raises(ComponentCollapseError, match=r"component 1 collapsed: it holds about 1 "
                       r"samples' weight, fewer than n_features \+ 1 = 3.*Increase reg_covar"):
        _collapsing_fit("raise")


def test_keep_policy_keeps_the_previous_parameters_and_warns():
    with pytest.warns(ComponentCollapseWarning, match="component 1 collapsed"):
        result, start = _collapsing_fit("keep")
    np.testing.assert_array_equal(result.params.components.covariances[1], np.eye(2))


def _lone_point_data():
    return np.vstack([RNG.randn(40, 2), [[50.0, 50.0]]])


def test_keep_policy_initialises_from_all_the_rows():
    """k-means leaves the far point alone: with reg_covar=0 its covariance is singular."""
    X = _lone_point_data()
    model = emkit.Mixture(emkit.Gaussian("full", reg_covar=0.0, on_collapse="keep"), 2)
    with pytest.warns(ComponentCollapseWarning, match="collapsed"):
        start = emkit.fit(model, X, random_state=0, max_iter=0)
    covariances = start.params.components.covariances
    lone = int(np.argmin(start.params.weights))
    np.testing.assert_allclose(covariances[lone], np.cov(X, rowvar=False, bias=True),
                               rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(covariances[1 - lone]) > 0)


def test_raise_policy_refuses_a_collapsed_start():
    model = emkit.Mixture(emkit.Gaussian("full", reg_covar=0.0), 2)
    with pytest.raises(ComponentCollapseError, match=r"holds about 1 samples' weight"):
        emkit.fit(model, _lone_point_data(), random_state=0, max_iter=0)
