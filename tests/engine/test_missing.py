"""The missing-data utilities against independent formulas: patterns, conditionals, mixtures."""
import numpy as np
import pytest
from scipy import stats

from emkit.engine.missing import (
    condition, fill_column_means, has_missing, missingness_patterns, mixture_of_conditionals,
)


def _spd(d, rng):
    A = rng.normal(size=(d, d))
    return A @ A.T + d * np.eye(d)


def test_has_missing_sees_one_nan_and_no_false_alarm_from_overflow():
    X = np.ones((50, 4))
    assert not has_missing(X)
    X[17, 2] = np.nan
    assert has_missing(X)
    huge = np.array([[1e308, 1e308], [-1e308, -1e308]])  # sums overflow both ways: inf - inf
    assert not has_missing(huge)


def test_patterns_partition_the_rows_by_their_nan_entries():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    X[rng.random(X.shape) < 0.3] = np.nan
    patterns = missingness_patterns(X)
    rows = np.concatenate([p.rows for p in patterns])
    np.testing.assert_array_equal(np.sort(rows), np.arange(200))
    for pattern in patterns:
        np.testing.assert_array_equal(np.isnan(X[pattern.rows]), np.tile(pattern.missing,
                                                                         (pattern.rows.size, 1)))
    assert len({tuple(p.observed) for p in patterns}) == len(patterns)


def test_conditional_matches_the_precision_form_and_scipy():
    """Against the precision-matrix formulas: C = inv(P_mm), E = mu_m - C P_mo (x_o - mu_o)."""
    rng = np.random.default_rng(1)
    d = 5
    mean, cov = rng.normal(size=d), _spd(d, rng)
    observed = np.array([True, False, True, True, False])
    o, m = np.flatnonzero(observed), np.flatnonzero(~observed)
    X_o = rng.normal(size=(7, o.size))
    precision = np.linalg.inv(cov)
    C = np.linalg.inv(precision[np.ix_(m, m)])
    expected_mean = mean[m] - (X_o - mean[o]) @ (C @ precision[np.ix_(m, o)]).T
    conditional = condition(mean, cov, observed)
    np.testing.assert_allclose(conditional.covariance, C, rtol=1e-12)
    np.testing.assert_allclose(conditional.conditional_mean(X_o), expected_mean, rtol=1e-11)
    np.testing.assert_allclose(conditional.log_density(X_o), stats.multivariate_normal(
        mean[o], cov[np.ix_(o, o)]).logpdf(X_o), rtol=1e-12)
    assert conditional.entropy == pytest.approx(stats.multivariate_normal(
        np.zeros(m.size), C).entropy(), rel=1e-12)


def test_nothing_observed_gives_the_marginal_and_a_density_of_one():
    rng = np.random.default_rng(2)
    mean, cov = rng.normal(size=3), _spd(3, rng)
    conditional = condition(mean, cov, np.zeros(3, dtype=bool))
    np.testing.assert_array_equal(conditional.log_density(np.empty((4, 0))), 0.0)
    np.testing.assert_allclose(conditional.conditional_mean(np.empty((4, 0))), np.tile(mean, (4, 1)))
    np.testing.assert_allclose(conditional.covariance, cov)


def test_mixture_of_conditionals_is_the_law_of_total_variance_by_simulation():
    rng = np.random.default_rng(3)
    probabilities = np.array([[0.3, 0.7]])
    means = np.array([[[1.0, -2.0], [4.0, 0.5]]])
    variances = np.array([[[0.5, 2.0], [1.5, 0.1]]])
    mean, variance = mixture_of_conditionals(probabilities, means, variances,
                                             np.full((1, 2), np.nan))
    labels = rng.random(400_000) < 0.7
    draws = rng.normal(means[0, labels.astype(int)], np.sqrt(variances[0, labels.astype(int)]))
    np.testing.assert_allclose(mean[0], draws.mean(axis=0), atol=0.01)
    np.testing.assert_allclose(variance[0], draws.var(axis=0), rtol=0.01)


def test_fill_column_means_uses_observed_values_only():
    X = np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0]])
    np.testing.assert_array_equal(fill_column_means(X), [[1, 6], [3, 4], [2, 8]])
    assert np.isnan(X[0, 1])  # a copy
