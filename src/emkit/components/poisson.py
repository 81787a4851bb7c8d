"""The Poisson component: independent per-feature counts."""
from __future__ import annotations

import numpy as np

from ..engine import constraints
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_values
from ..priors import Gamma, check_prior
from ..engine.missing import independent_conditionals
from . import _discrete_kernels
from ._discrete import (
    CountFamily, MissingEntries, finite_values, floor_rates, is_count, log_factorial_table,
    log_factorial_terms, missing_weight, safe_log, xlogy_product,
)
from ._rate_statistics import RateStatistics

__all__ = ["Poisson"]


#: Largest count a Poisson component takes: 2**53, beyond which float64 integers are inexact.
LARGEST_COUNT = float(2**53)


def _rate_statistics(weights, zeroed, missing, anchor, log_likelihood):
    """The rows' RateStatistics under ``weights`` (n_samples, K), with their log-likelihood
    at ``anchor`` (K, D); both None for sums that only an M-step reads (anchor 1, value 0).
    ``zeroed`` holds the rows with 0 for a missing entry, ``missing`` their mask or None."""
    k_count, d_count = weights.shape[1], zeroed.shape[1]
    return RateStatistics(
        np.ones((k_count, d_count)) if anchor is None else anchor, weights.sum(axis=0),
        weights.T @ zeroed, missing_weight(weights, missing, d_count),
        np.zeros(k_count) if log_likelihood is None else log_likelihood)


class Poisson(MissingEntries, CountFamily):
    """Independent Poisson counts per feature, batched over K components.

    Parameters
    ----------
    prior : emkit.priors.Gamma, optional
        Conjugate prior on every rate; the M-step then returns the MAP.

    Notes
    -----
    Parameters: ``rates`` of shape (K, D) (hmmlearn's ``lambdas_``).

    ``log p(x | lambda_k) = sum_d x_d log lambda_kd - lambda_kd - log(x_d!)``

    Counts from 64 on are scored in the saddle-point form
    ``-[x log(x / lambda) + lambda - x] - stirling_error(x) - log(2 pi x) / 2`` (Loader 2000),
    which keeps the log density's relative precision at any count up to 2**53, where the plain
    form's terms cancel (:func:`~emkit.components._discrete_kernels.subtract_saddle_point_terms`).

    Statistics (sums over rows, one :class:`~emkit.components._rate_statistics.RateStatistics`
    leaf ``rates``): ``N_k = sum_i w_ik``, ``S_kd = sum_i w_ik x_id`` and the weighted
    log-likelihood at the E-step's rates, moved exactly to other rates, so that the bound has no
    cancelling terms at large counts. The M-step is ``lambda_kd = S_kd / N_k``, or
    ``(S_kd + shape - 1) / (N_k + rate)`` with a ``Gamma(shape, rate)`` prior, kept at or
    above 1e-12 (see :mod:`emkit.components._discrete`).

    Missing entries (NaN) are left out of the likelihood: a row's density is that of its
    observed counts, and the statistic ``missing`` ``M_kd = sum_i w_ik [x_id missing]``
    makes the M-step ``lambda_kd = S_kd / (N_k - M_kd)`` (see
    :class:`~emkit.components._discrete.MissingEntries`).
    """

    family = "Poisson"

    def __init__(self, prior=None):
        self.prior = check_prior(prior, Gamma, f"{self.family} prior")

    def __repr__(self):
        return f"Poisson(prior={self.prior!r})"

    def constraints(self):
        return {"rates": constraints.positive}

    def row_constants(self, X):
        if not (X >= _discrete_kernels.SADDLE_POINT_COUNT).any():  # small counts: -log(x!)
            return -log_factorial_terms(X)[0]  # the table kernel: no compilation of the other
        out = np.empty(X.shape[0])
        _discrete_kernels.poisson_row_constants(X, log_factorial_table(), out)
        return out

    def log_kernel(self, params, X, missing=None):
        rates = np.ascontiguousarray(params.rates, dtype=float)
        log_rates = safe_log(rates)
        large = X >= _discrete_kernels.SADDLE_POINT_COUNT
        if missing is None and not large.any():  # small counts, complete rows: all BLAS
            return xlogy_product(X, log_rates) - rates.sum(axis=1)
        plain = ~large if missing is None else ~large & ~missing
        if plain.any():
            out = xlogy_product(np.where(plain, X, 0.0), log_rates) \
                - plain.astype(float) @ rates.T
        else:  # every entry large: all saddle-point terms
            out = np.zeros((X.shape[0], rates.shape[0]))
        _discrete_kernels.subtract_saddle_point_terms(X, np.ascontiguousarray(rates.T),
                                                      np.ascontiguousarray(log_rates.T), out)
        return out

    def expected_stats(self, params, X, weights):
        if params is None:
            # a start: the statistics are taken at the rates of the M-step from these
            # weights (which reads the sums, not the log-likelihood)
            zeroed, missing = self._split(X)
            unanchored = _rate_statistics(weights, zeroed, missing, None, None)
            params = self.m_step(Tree(rates=unanchored), None)
        return self.stats_from_densities(params, X, weights, self.densities(params, X))

    def densities(self, params, X):
        densities = super().densities(params, X)
        densities.terms["log_prob"] = densities.log_prob.copy()  # a model may overwrite it
        return densities

    def stats_from_densities(self, params, X, weights, densities):
        with np.errstate(invalid="ignore"):
            weighted = weights * densities.terms["log_prob"]
        weighted[weights == 0.0] = 0.0  # a row impossible under a component it has no weight in
        return Tree(rates=_rate_statistics(weights, densities.terms["zeroed"],
                                           densities.terms["missing"], params.rates,
                                           weighted.sum(axis=0)))

    def m_step(self, stats, params, fixed=frozenset()):
        if "rates" in fixed:
            return params
        stats = stats.rates
        exposure = stats.exposure + TINY_COUNT
        if self.prior is None:
            rates = stats.sums / exposure
        else:
            rates = self.prior.mode(stats.sums, exposure)
        return Tree(rates=floor_rates(rates))

    def expected_log_prob(self, stats, params):
        return float(np.sum(stats.rates.log_likelihood_at(params.rates)))

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(params.rates)

    def validate(self, X):
        X = finite_values(X, self.family, allow_nan=True)
        check_values(X, ~is_count(X) & ~np.isnan(X), self.family,
                     lambda column: "non-negative integer counts", "Round or remove the value.")
        check_values(X, X > LARGEST_COUNT, self.family,
                     lambda column: f"counts up to 2**53 ({LARGEST_COUNT:.4g}), the integers "
                     "float64 holds exactly, where its log density is computed without "
                     "overflow", "Model counts this large as continuous (a Gaussian of the "
                     "counts or of their logarithm).")

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are both its rate (it is independent of the row's observed entries).

        Parameters
        ----------
        params : Tree
            The component parameters, K leading.
        X : ndarray of shape (n_samples, n_features)
            Rows with NaN where an entry is missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
        """
        return independent_conditionals(X, params.rates, params.rates)

    def sample(self, params, labels, rng):
        return rng.poisson(params.rates[labels]).astype(float)
