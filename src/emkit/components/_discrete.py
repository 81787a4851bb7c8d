"""What the discrete components share: support checks, the probability floor, safe log sums.

Probability floor
-----------------
An M-step keeps every probability in ``[PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR]`` (simplex
vectors are floored and renormalised; Poisson rates are kept ``>= PROBABILITY_FLOOR``). Without
it a component that never saw a value would give that value probability 0, so a new row holding
it would score ``-inf`` under the component, and the unconstrained coordinates that
acceleration works in (``logit p``, ``log rate``) would be infinite. The floor (1e-12) moves an
estimate by about 1e-12 (times the number of categories for a simplex), and the M-step still
maximises the bound over the floored set (to rounding), so EM's guarantees hold: the evidence
never decreases and the bound after each E-step equals it. For real smoothing pass a conjugate prior (``Beta(2, 2)`` adds one
pseudo-count to each outcome); the anatomy then tracks the log-posterior.

Densities, on the other hand, are exact at any parameters: ``log_prob`` treats ``0 * log 0``
as 0, so user-given parameters with exact zeros or ones are scored correctly.
"""
from __future__ import annotations

import functools
from abc import abstractmethod

import numpy as np
from scipy import special

from ..engine.contracts import Component, Densities
from ..engine.missing import has_missing
from ..engine.numerics import TINY_COUNT
from ..engine.validation import check_finite, check_observed_columns
from . import _discrete_kernels

__all__ = [
    "PROBABILITY_FLOOR", "CountFamily", "MissingEntries", "add_row_constants", "finite_values",
    "floor_probabilities", "floor_rates", "floor_simplex", "is_count", "log_factorial_table",
    "log_factorial_terms",
    "missing_weight", "safe_log", "simplex_estimate", "split_missing", "xlogy_product",
]

#: Smallest probability (and rate) an M-step returns; see the module docstring.
PROBABILITY_FLOOR = 1e-12

#: Log factorials up to this value are read from a table, larger ones computed.
_TABLE_SIZE = 1 << 14


# -- parameters ---------------------------------------------------------------------------------
def floor_probabilities(probs):
    """Probabilities clipped to ``[PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR]``."""
    return np.clip(probs, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)


def floor_simplex(probs):
    """Probability vectors (last axis) floored at ``PROBABILITY_FLOOR`` and renormalised."""
    floored = np.maximum(probs, PROBABILITY_FLOOR)
    return floored / floored.sum(axis=-1, keepdims=True)


def floor_rates(rates):
    """Rates kept at or above ``PROBABILITY_FLOOR``."""
    return np.maximum(rates, PROBABILITY_FLOOR)


def simplex_estimate(counts, prior):
    """Weighted MLE (or Dirichlet MAP) of probability vectors from counts (..., C), floored.

    An empty vector of counts (a component with no weight) gives the uniform distribution
    (or the prior's mode).
    """
    counts = counts + TINY_COUNT
    if prior is None:
        return floor_simplex(counts / counts.sum(axis=-1, keepdims=True))
    return floor_simplex(prior.mode(counts))


# -- densities ----------------------------------------------------------------------------------
def safe_log(values):
    """``log(values)`` with ``log 0 = -inf`` and no warning."""
    with np.errstate(divide="ignore"):
        return np.log(values)


def xlogy_product(X, log_values):
    """``sum_d X[i, d] * log_values[k, d]`` with ``0 * log 0 = 0``, through BLAS.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Non-negative multipliers (counts).
    log_values : ndarray of shape (n_components, n_features)
        Logs of non-negative values (``-inf`` allowed, ``+inf`` not).

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    finite = np.isfinite(log_values)
    if finite.all():
        return X @ log_values.T
    out = X @ np.where(finite, log_values, 0.0).T
    impossible = (X != 0).astype(float) @ (~finite).astype(float).T
    out[impossible > 0] = -np.inf
    return out


def add_row_constants(log_prob, constants):
    """Add per-row constants (n_samples,) to log_prob (n_samples, K) in place.

    A NaN constant marks a row outside the support, whose log density is ``-inf``.
    """
    outside = np.isnan(constants)
    log_prob += np.where(outside, 0.0, constants)[:, None]
    log_prob[outside] = -np.inf
    return log_prob


@functools.lru_cache(maxsize=1)
def log_factorial_table():
    return special.gammaln(np.arange(_TABLE_SIZE) + 1.0)


def log_factorial_terms(X):
    """Per row ``sum_d log(x_id!)`` and ``log((sum_d x_id)!)``, NaN for rows off the support.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64

    Returns
    -------
    sums, totals : ndarray of shape (n_samples,)
    """
    sums, totals = np.empty(X.shape[0]), np.empty(X.shape[0])
    _discrete_kernels.log_factorial_sums(X, log_factorial_table(), sums, totals)
    return sums, totals


# -- missing entries ----------------------------------------------------------------------------
def split_missing(X):
    """X with its NaN entries set to 0, and where they were.

    A factorised family leaves a missing entry out of the likelihood: a row's log density is
    the sum over its observed features. Setting the entry to 0 and correcting the terms that
    do not vanish at 0 (a Poisson's ``-rate``, a Bernoulli's ``log(1 - p)``) does that with
    the same matrix products as complete rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    zeroed : ndarray of shape (n_samples, n_features)
    missing : ndarray of bool, shape (n_samples, n_features)
    """
    missing = np.isnan(X)
    return np.where(missing, 0.0, X), missing


def missing_weight(weights, missing, n_features):
    """``sum_i w_ik [x_id missing]``, shape (n_components, n_features); zeros if ``missing``
    is None (a block without NaN).

    Kept as its own statistic, so that a per-feature count of observed weight is
    ``counts[:, None] - missing``: exactly ``counts`` for complete data (the same floats as
    before missing data existed), and blocks with and without NaN add up.
    """
    if missing is None:
        return np.zeros((weights.shape[1], n_features))
    return weights.T @ missing.astype(float)


class MissingEntries:
    """Mixin of the factorised families that leave missing entries (NaN) out of the likelihood.

    Given the component, a missing entry is independent of the row's other entries, so its
    posterior is its prior: its expected log density and its entropy cancel in the bound, and
    the observed-data evidence is the sum over observed entries alone. The M-step therefore
    uses each feature's observed entries only (statistic ``missing``, the weight of the missing
    entries per component and feature).
    """

    supports_missing = True

    def validate_fit(self, X):
        """:meth:`validate`, and an error for a column with no observed value.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data to fit (NaN where an entry is missing).
        """
        self.validate(X)
        check_observed_columns(np.asarray(X, dtype=float), self.family)


# -- validation of X ----------------------------------------------------------------------------
def finite_values(X, family, allow_nan=False):
    """X as a float array, after :func:`~emkit.engine.validation.check_finite` (NaN allowed
    if the family models missing values)."""
    X = np.asarray(X, dtype=float)
    check_finite(X, family=family, allow_nan=allow_nan)
    return X


def is_count(X):
    """Elementwise: is X a finite non-negative integer?"""
    with np.errstate(invalid="ignore"):
        return np.isfinite(X) & (X >= 0) & (X == np.floor(X))


class CountFamily(Component):
    """Abstract: a count family whose log density is a matrix product plus a per-row constant.

    ``log p(x | theta_k) = kernel(x, theta_k) + c(x)``, with ``c(x)`` free of the parameters
    (log factorials, log binomial coefficients; NaN off the support, where the density is 0).
    The constants are part of the bound, so the statistics sum them too; they are computed
    once per block and shared by the densities and the statistics.

    A family that also derives from :class:`MissingEntries` gets rows with NaN as ``X`` with
    those entries set to 0 and their mask ``missing``; a block without NaN takes the code it
    took before missing data existed (``missing`` is None).
    """

    @abstractmethod
    def row_constants(self, X) -> np.ndarray:
        """The parameter-free part ``c(x_i)`` of each row's log density.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            NaN for rows off the support.
        """

    @abstractmethod
    def log_kernel(self, params, X, missing=None) -> np.ndarray:
        """The parameter-dependent part of the log density.

        Parameters
        ----------
        params : Tree
            The parameters.
        X : ndarray of shape (n_samples, n_features)
            The rows (0 where missing).
        missing : ndarray of bool, shape (n_samples, n_features), optional
            The missing entries, left out of the density; None for complete rows.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """

    def stats_with_constants(self, X, weights, constants, missing=None):
        """The statistics of the rows under ``weights``, given their constants.

        Families whose statistics need more than the constants (the Poisson's carry the
        log-likelihood at the E-step's parameters) override :meth:`expected_stats` and
        :meth:`stats_from_densities` instead.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The rows (0 where missing).
        weights : ndarray of shape (n_samples, n_components)
            Responsibilities times sample weights.
        constants : ndarray of shape (n_samples,)
            From :meth:`row_constants`.
        missing : ndarray of bool, shape (n_samples, n_features), optional
            The missing entries; None for complete rows.

        Returns
        -------
        Tree
            Summed over rows.
        """
        raise NotImplementedError(
            f"{type(self).__name__} defines neither stats_with_constants nor its own "
            "expected_stats and stats_from_densities")

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def _split(self, X):
        """(X, None) for complete rows, else (X with 0 for NaN, the NaN mask)."""
        X = np.ascontiguousarray(X, dtype=float)
        if self.supports_missing and has_missing(X):
            return split_missing(X)
        return X, None

    def densities(self, params, X):
        X, missing = self._split(X)
        constants = self.row_constants(X)
        return Densities(add_row_constants(self.log_kernel(params, X, missing), constants),
                         constants=constants, missing=missing, zeroed=X)

    def expected_stats(self, params, X, weights):
        X, missing = self._split(X)
        return self.stats_with_constants(X, weights, self.row_constants(X), missing)

    def stats_from_densities(self, params, X, weights, densities):
        return self.stats_with_constants(densities.terms["zeroed"], weights,
                                         densities.terms["constants"],
                                         densities.terms["missing"])
