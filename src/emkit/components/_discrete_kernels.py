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
