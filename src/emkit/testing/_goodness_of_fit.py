"""Goodness-of-fit tests of a sampler against a reference law.

Each column is tested against the reference's marginal when scipy knows it (Kolmogorov-
Smirnov for continuous laws, chi-square for discrete ones), otherwise against draws from the
reference (two-sample KS, or a chi-square contingency test). Rows of several columns are also
tested jointly: the Spearman rank correlation of every pair of columns against that of the
reference's draws (Fisher's z), and, for continuous laws, the reference's own log density at
the sampled points against its log density at its own draws. A sampler with the right
marginals and the wrong dependence fails these.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from .references import is_discrete, log_density, marginal

__all__ = ["goodness_of_fit"]

_MIN_EXPECTED = 5.0


def _pooled(observed, expected):
    """Keep bins expecting at least 5; pool the rest into one bin (if it expects any)."""
    big = expected >= _MIN_EXPECTED
    obs, exp = list(observed[big]), list(expected[big])
    rest_obs, rest_exp = observed[~big].sum(), expected[~big].sum()
    if rest_exp > 0 or rest_obs > 0:
        obs.append(rest_obs)
        exp.append(rest_exp)
    return np.array(obs, dtype=float), np.array(exp, dtype=float)


def _chi_square_one_sample(sample, law, reference_draws):
    values = np.union1d(sample, reference_draws)
    observed = np.array([np.sum(sample == v) for v in values], dtype=float)
    expected = sample.size * law.pmf(values)
    observed = np.append(observed, 0.0)  # mass the draws never reached
    expected = np.append(expected, max(sample.size - expected.sum(), 0.0))
    obs, exp = _pooled(observed, expected)
    if obs.size < 2:
        return 1.0
    if exp.min() <= 0:
        return 0.0 if np.any(obs[exp <= 0] > 0) else 1.0
    exp = exp * obs.sum() / exp.sum()
    return float(stats.chisquare(obs, exp).pvalue)


def _chi_square_two_sample(sample, reference_draws):
    values = np.union1d(sample, reference_draws)
    table = np.array([[np.sum(s == v) for v in values] for s in (sample, reference_draws)],
                     dtype=float)
    keep = table.sum(axis=0) >= 2 * _MIN_EXPECTED
    pooled = np.column_stack([table[:, keep], table[:, ~keep].sum(axis=1)])
    pooled = pooled[:, pooled.sum(axis=0) > 0]
    if pooled.shape[1] < 2:
        return 1.0
    return float(stats.chi2_contingency(pooled).pvalue)


def _column_p_value(sample, column, reference, reference_draws, n_features):
    law = marginal(reference, column, n_features)
    draws = reference_draws[:, column]
    if law is not None:
        if is_discrete(law):
            return "chi-square", _chi_square_one_sample(sample, law, draws)
        return "Kolmogorov-Smirnov", float(stats.kstest(sample, law.cdf).pvalue)
    if is_discrete(reference):
        return "two-sample chi-square", _chi_square_two_sample(sample, draws)
    return "two-sample Kolmogorov-Smirnov", float(stats.ks_2samp(sample, draws).pvalue)


def _rank_correlations(rows):
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = stats.spearmanr(rows).statistic
    return np.atleast_2d(matrix) if rows.shape[1] > 2 else np.array([[1.0, matrix],
                                                                      [matrix, 1.0]])


def _dependence_tests(sample, reference_draws):
    """Fisher-z tests that each pair of columns has the reference's rank correlation."""
    got, expected = _rank_correlations(sample), _rank_correlations(reference_draws)
    scale = np.sqrt(1.06 / (sample.shape[0] - 3) + 1.06 / (reference_draws.shape[0] - 3))
    results = []
    for j, l in zip(*np.triu_indices(sample.shape[1], k=1)):
        if not (np.isfinite(got[j, l]) and np.isfinite(expected[j, l])):
            continue
        z = (np.arctanh(np.clip(got[j, l], -0.999999, 0.999999))
             - np.arctanh(np.clip(expected[j, l], -0.999999, 0.999999))) / scale
        results.append((f"rank correlation test of columns {j} and {l} ({got[j, l]:.3f} "
                        f"against {expected[j, l]:.3f})", float(2 * stats.norm.sf(abs(z)))))
    return results


def goodness_of_fit(sample, reference, reference_draws):
    """p-values of the tests of ``sample`` (n, D) against ``reference``.

    Returns
    -------
    list of (description, p_value)
    """
    n_features = sample.shape[1]
    results = []
    for column in range(n_features):
        test, p_value = _column_p_value(sample[:, column], column, reference, reference_draws,
                                        n_features)
        results.append((f"{test} test of column {column}", p_value))
    if n_features > 1:
        results += _dependence_tests(sample, reference_draws)
    if n_features > 1 and not is_discrete(reference):
        at_sample = log_density(reference, sample)
        at_draws = log_density(reference, reference_draws)
        results.append(("two-sample Kolmogorov-Smirnov test of the joint log density",
                        float(stats.ks_2samp(at_sample, at_draws).pvalue)))
    return results
