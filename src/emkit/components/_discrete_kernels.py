"""Compiled kernels shared by the discrete components: per-row constants and categorical tables.

The matrix products of the count families (Bernoulli, Binomial, Multinomial, Poisson) go
through BLAS; what BLAS cannot do is here: the per-row constants (log factorials, binomial
coefficients) with a support check in the same pass, and the gather / scatter of categorical
codes. Every kernel checks its indices, so a value outside the support can never read or write
out of bounds: it marks the row (NaN) or is skipped. The kernels release the GIL.
"""
import math

import numpy as np

from ..engine.compile import kernel
from ._special import STIRLING_SERIES


@kernel(inline="always")
def _as_index(x, size):
    """``int(x)`` if x is an integer in [0, size), else -1 (NaN and infinities give -1)."""
    if not (x >= 0.0 and x < size):
        return -1
    c = int(x)
    if c != x:
        return -1
    return c


@kernel
def row_table_sums(X, table, out):
    """``out[i] = sum_d table[d, x_id]``, NaN for a row with a value outside the table.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    table : ndarray of shape (n_features, n_values) or (1, n_values)
        Per-column (or shared) values indexed by the integer in X; a NaN entry marks a value
        outside the support.
    out : ndarray of shape (n_samples,)
    """
    n, d_count = X.shape
    shared = table.shape[0] == 1
    size = table.shape[1]
    for i in range(n):
        total = 0.0
        for d in range(d_count):
            c = _as_index(X[i, d], size)
            if c < 0:
                total = np.nan
                break
            total += table[0 if shared else d, c]
        out[i] = total


@kernel(inline="always")
def _log_factorial(x, table):
    """``log(x!)`` for a non-negative integer x: from the table when it is in range."""
    if x < table.shape[0]:
        return table[int(x)]
    return math.lgamma(x + 1.0)


@kernel
def log_factorial_sums(X, table, sums, totals):
    """Per row: ``sums[i] = sum_d log(x_id!)`` and ``totals[i] = log((sum_d x_id)!)``.

    Both are NaN for a row with a value that is not a non-negative integer.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    table : ndarray of shape (n_values,)
        ``log(j!)`` for j < n_values; larger values use ``math.lgamma``.
    sums, totals : ndarray of shape (n_samples,)
    """
    n, d_count = X.shape
    for i in range(n):
        total, count, valid = 0.0, 0.0, True
        for d in range(d_count):
            x = X[i, d]
            if not (x >= 0.0 and x < np.inf) or x != math.floor(x):
                valid = False
                break
            count += x
            total += _log_factorial(x, table)
        sums[i] = total if valid else np.nan
        totals[i] = _log_factorial(count, table) if valid else np.nan


@kernel
def categorical_log_prob(X, log_probs, out):
    """``out[i, k] = sum_d log_probs[d, x_id, k]``; -inf for a row with an invalid code.

    A NaN code is a missing entry: it is left out of the sum.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Category codes stored as numbers, NaN where missing.
    log_probs : ndarray of shape (n_features, n_categories, n_components)
        Log probabilities, components last so the inner loop is contiguous.
    out : ndarray of shape (n_samples, n_components)
    """
    n, d_count = X.shape
    n_categories, k_count = log_probs.shape[1], log_probs.shape[2]
    for i in range(n):
        for k in range(k_count):
            out[i, k] = 0.0
        for d in range(d_count):
            c = _as_index(X[i, d], n_categories)
            if c < 0:
                if np.isnan(X[i, d]):
                    continue
                for k in range(k_count):
                    out[i, k] = -np.inf
                break
            for k in range(k_count):
                out[i, k] += log_probs[d, c, k]


@kernel
def categorical_counts(X, W, counts):
    """``counts[d, c, k] += sum_i W[i, k] [x_id == c]``; invalid and missing (NaN) codes are
    skipped.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_samples, n_components)
    counts : ndarray of shape (n_features, n_categories, n_components)
    """
    n, d_count = X.shape
    n_categories, k_count = counts.shape[1], counts.shape[2]
    for i in range(n):
        for d in range(d_count):
            c = _as_index(X[i, d], n_categories)
            if c < 0:
                continue
            for k in range(k_count):
                counts[d, c, k] += W[i, k]


# -- Poisson densities without cancellation -----------------------------------------------------
#: Counts below this are scored as ``x log(rate) - rate - log(x!)``, whose rounding (about
#: 1e-16 * x log x, under 1e-13) is negligible there; larger ones by the saddle-point form
#: below, which keeps full relative precision at any count (the plain form loses 2e-12 at
#: counts near 1000, and ~11 in the log density of counts near 1e15: its terms cancel).
SADDLE_POINT_COUNT = 64.0

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


_SERIES = STIRLING_SERIES


@kernel(inline="always")
def _stirling_error(x):
    """``log(x!) - [(x + 1/2) log(x) - x + log(2 pi) / 2]`` for x >= 1: Stirling's series
    (:data:`~emkit.components._special.STIRLING_SERIES`; ``log(x!) = lgamma(x + 1)`` has the
    same correction as ``lgamma(x)``) for x > 15, else from ``lgamma`` (absolute error
    ~1e-14)."""
    if x <= 15.0:
        return math.lgamma(x + 1.0) - (x + 0.5) * math.log(x) + x - _HALF_LOG_TWO_PI
    inverse_square = 1.0 / (x * x)
    total = 0.0
    for j in range(len(_SERIES) - 1, -1, -1):
        total = _SERIES[j] + inverse_square * total
    return total / x


#: ``1 / (2j + 1)`` for j = 1..9: the near branch's series in ``v^2 < 0.01``, cut where its
#: next term is below 1e-18 of the first.
_ODD_RECIPROCALS = (1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15, 1 / 17, 1 / 19)


@kernel(inline="always")
def _deviance_term(x, rate, log_x, log_rate):
    """``x log(x / rate) + rate - x`` (>= 0, half a Poisson deviance) for x >= 1.

    Near the rate (``|x - rate| < 0.1 (x + rate)``) it is
    ``(x - rate) v + 2 x v sum_{j>=1} v^(2j) / (2j + 1)`` with ``v = (x - rate) / (x + rate)``,
    whose terms are all small (Loader 2000): full relative precision, by a fixed Horner sum.
    Farther it is ``x (log x - log rate) + rate - x``, whose logs differ by at least 0.18: a
    relative error under ~1e-12, from the logs the caller computed once per row and per
    component. Both are computed and one is selected, without a branch, so that the caller's
    loop over components vectorises.
    """
    difference = x - rate
    total = x + rate
    v = difference / total
    square = v * v
    series = 0.0
    for j in range(len(_ODD_RECIPROCALS) - 1, -1, -1):
        series = _ODD_RECIPROCALS[j] + square * series
    near = difference * v + 2.0 * x * v * square * series
    far = x * (log_x - log_rate) + rate - x
    return near if abs(difference) < 0.1 * total else far


@kernel
def poisson_row_constants(X, log_factorials, out):
    """The parameter-free part of each row's Poisson log density, NaN for a row off the support.

    Per entry: ``-log(x!)`` below :data:`SADDLE_POINT_COUNT` (the plain form), else
    ``-stirling_error(x) - log(2 pi x) / 2`` (the saddle-point form);
    :func:`subtract_saddle_point_terms` pairs the same choice with the parameter-dependent
    part.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Counts (0 where missing).
    log_factorials : ndarray of shape (n_values,)
        ``log(j!)`` for ``j < n_values`` (at least SADDLE_POINT_COUNT values).
    out : ndarray of shape (n_samples,)
    """
    n, d_count = X.shape
    for i in range(n):
        total = 0.0
        for d in range(d_count):
            x = X[i, d]
            if not (x >= 0.0 and x < np.inf) or x != math.floor(x):
                total = np.nan
                break
            if x < SADDLE_POINT_COUNT:
                total -= log_factorials[int(x)]
            else:
                total -= _stirling_error(x) + _HALF_LOG_TWO_PI + 0.5 * math.log(x)
        out[i] = total


@kernel
def subtract_saddle_point_terms(X, rates_t, log_rates_t, out):
    """``out[i, k] -= sum_d (x_id log(x_id / rate_kd) + rate_kd - x_id)`` over the entries with
    ``x_id >= SADDLE_POINT_COUNT``: the parameter-dependent part of their log density in the
    saddle-point form (the caller adds the plain form of the smaller counts through BLAS).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Counts (0 where missing).
    rates_t, log_rates_t : ndarray of shape (n_features, n_components)
        The rates and their logs, transposed (components contiguous: the inner loop).
    out : ndarray of shape (n_samples, n_components)
    """
    n, d_count = X.shape
    k_count = rates_t.shape[1]
    for i in range(n):
        for d in range(d_count):
            x = X[i, d]
            if x < SADDLE_POINT_COUNT:
                continue
            log_x = math.log(x)
            for k in range(k_count):
                out[i, k] -= _deviance_term(x, rates_t[d, k], log_x, log_rates_t[d, k])
