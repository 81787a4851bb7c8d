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


@kernel(inline="always")
def _deviance_term(x, rate):
    """``x log(x / rate) + rate - x`` (>= 0, half a Poisson deviance), without cancellation
    when x is near rate: there it is ``(x - rate) v + 2 x sum_{j>=1} v^(2j+1) / (2j+1)`` with
    ``v = (x - rate) / (x + rate)``, whose terms are all small (Loader 2000)."""
    difference = x - rate
    if abs(difference) < 0.1 * (x + rate):
        v = difference / (x + rate)
        total = difference * v
        power = 2.0 * x * v
        square = v * v
        j = 1
        while True:
            power *= square
            updated = total + power / (2 * j + 1)
            if updated == total:
                return updated
            total = updated
            j += 1
    if x == 0.0:
        return rate
    return x * math.log(x / rate) + rate - x


@kernel
def poisson_row_constants(X, log_factorials, out):
    """The parameter-free part of each row's Poisson log density, NaN for a row off the support.

    Per entry: ``-log(x!)`` below :data:`SADDLE_POINT_COUNT` (the plain form), else
    ``-stirling_error(x) - log(2 pi x) / 2`` (the saddle-point form); :func:`poisson_log_kernel`
    pairs the same choice with the parameter-dependent part.

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
def poisson_log_kernel(X, rates, log_rates, missing, out):
    """The parameter-dependent part of the Poisson log density, per row and component.

    Per entry: ``x log(rate) - rate`` below :data:`SADDLE_POINT_COUNT`, else
    ``-(x log(x / rate) + rate - x)``; missing entries add nothing.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Counts (0 where missing).
    rates, log_rates : ndarray of shape (n_components, n_features)
    missing : ndarray of bool, shape (n_samples, n_features), or (0, 0) for none
    out : ndarray of shape (n_samples, n_components)
    """
    n, d_count = X.shape
    k_count = rates.shape[0]
    masked = missing.shape[0] > 0
    for i in range(n):
        for k in range(k_count):
            total = 0.0
            for d in range(d_count):
                if masked and missing[i, d]:
                    continue
                x = X[i, d]
                if x < SADDLE_POINT_COUNT:
                    total += (x * log_rates[k, d] if x > 0.0 else 0.0) - rates[k, d]
                else:
                    total -= _deviance_term(x, rates[k, d])
            out[i, k] = total
