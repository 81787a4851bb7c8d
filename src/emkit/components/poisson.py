"""The Poisson component: independent per-feature counts."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_values
from ..priors import Gamma, check_prior
from ..engine.missing import independent_conditionals
from ._discrete import (
    CountFamily, MissingEntries, finite_values, floor_rates, is_count,
    log_factorial_terms, missing_weight, safe_log, xlogy_product,
)

__all__ = ["Poisson"]


#: Largest count a Poisson component takes: 2**53, beyond which float64 integers are inexact.
LARGEST_COUNT = float(2**53)


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

    Statistics (sums over rows): ``counts`` ``N_k = sum_i w_ik``, ``sums``
    ``S_kd = sum_i w_ik x_id`` and ``constants`` ``-sum_i w_ik sum_d log(x_id!)`` (free of
    the parameters, but part of the bound). The M-step is ``lambda_kd = S_kd / N_k``, or
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
        return -log_factorial_terms(X)[0]

    def log_kernel(self, params, X, missing=None):
        out = xlogy_product(X, safe_log(params.rates)) - params.rates.sum(axis=1)
        if missing is not None:
            out += missing @ params.rates.T  # a missing entry's -rate is not in its density
        return out

    def stats_with_constants(self, X, weights, constants, missing=None):
        return Tree(counts=weights.sum(axis=0), sums=weights.T @ X,
                    constants=weights.T @ constants,
                    missing=missing_weight(weights, missing, X.shape[1]))

    def m_step(self, stats, params, fixed=frozenset()):
        if "rates" in fixed:
            return params
        exposure = stats.counts[:, None] - stats.missing + TINY_COUNT
        if self.prior is None:
            rates = stats.sums / exposure
        else:
            rates = self.prior.mode(stats.sums, exposure)
        return Tree(rates=floor_rates(rates))

    def expected_log_prob(self, stats, params):
        return float(np.sum(special.xlogy(stats.sums, params.rates))
                     - np.sum((stats.counts[:, None] - stats.missing) * params.rates)
                     + np.sum(stats.constants))

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
