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
from ..engine.numerics import TINY_COUNT
from ..engine.validation import check_finite
from . import _discrete_kernels

__all__ = [
    "PROBABILITY_FLOOR", "CountFamily", "add_row_constants", "finite_values", "floor_probabilities",
    "floor_rates", "floor_simplex", "is_count", "log_factorial_terms", "safe_log",
    "simplex_estimate", "xlogy_product",
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
def _log_factorial_table():
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
    _discrete_kernels.log_factorial_sums(X, _log_factorial_table(), sums, totals)
    return sums, totals


# -- validation of X ----------------------------------------------------------------------------
def finite_values(X, family):
    """X as a float array, after :func:`~emkit.engine.validation.check_finite` (the family
    has no missing-data support)."""
    X = np.asarray(X, dtype=float)
    check_finite(X, family=family)
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
    def log_kernel(self, params, X) -> np.ndarray:
        """The parameter-dependent part of the log density.

        Parameters
        ----------
        params : Tree
            The parameters.
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """

    @abstractmethod
    def stats_with_constants(self, X, weights, constants):
        """The statistics of the rows under ``weights``, given their constants.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The rows.
        weights : ndarray of shape (n_samples, n_components)
            Responsibilities times sample weights.
        constants : ndarray of shape (n_samples,)
            From :meth:`row_constants`.

        Returns
        -------
        Tree
            Summed over rows.
        """

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def densities(self, params, X):
        X = np.ascontiguousarray(X, dtype=float)
        constants = self.row_constants(X)
        return Densities(add_row_constants(self.log_kernel(params, X), constants),
                         constants=constants)

    def expected_stats(self, params, X, weights):
        X = np.ascontiguousarray(X, dtype=float)
        return self.stats_with_constants(X, weights, self.row_constants(X))

    def stats_from_densities(self, params, X, weights, densities):
        X = np.ascontiguousarray(X, dtype=float)
        return self.stats_with_constants(X, weights, densities.terms["constants"])
