"""The Poisson component: independent per-feature counts."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component, Densities
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_values
from ..priors import Gamma, check_prior
from ._discrete import (
    add_row_constants, finite_values, floor_rates, is_count,
    log_factorial_terms, safe_log, xlogy_product,
)

__all__ = ["Poisson"]


class Poisson(Component):
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
    ``S_kd = sum_i w_ik x_id`` and ``log_factorials`` ``sum_i w_ik sum_d log(x_id!)`` (free
    of the parameters, but part of the bound). The M-step is ``lambda_kd = S_kd / N_k``, or
    ``(S_kd + shape - 1) / (N_k + rate)`` with a ``Gamma(shape, rate)`` prior, kept at or
    above 1e-12 (see :mod:`emkit.components._discrete`).
    """

    family = "Poisson"

    def __init__(self, prior=None):
        self.prior = check_prior(prior, Gamma, f"{self.family} prior")

    def __repr__(self):
        return f"Poisson(prior={self.prior!r})"

    def constraints(self):
        return {"rates": constraints.positive}

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def densities(self, params, X):
        X = np.ascontiguousarray(X, dtype=float)
        log_factorials, _ = log_factorial_terms(X)
        out = xlogy_product(X, safe_log(params.rates)) - params.rates.sum(axis=1)
        return Densities(add_row_constants(out, -log_factorials),
                         log_factorials=log_factorials)

    def expected_stats(self, params, X, weights):
        X = np.ascontiguousarray(X, dtype=float)
        return self._stats(X, weights, log_factorial_terms(X)[0])

    def stats_from_densities(self, params, X, weights, densities):
        X = np.ascontiguousarray(X, dtype=float)
        return self._stats(X, weights, densities.terms["log_factorials"])

    @staticmethod
    def _stats(X, weights, log_factorials):
        return Tree(counts=weights.sum(axis=0), sums=weights.T @ X,
                    log_factorials=weights.T @ log_factorials)

    def m_step(self, stats, params, fixed=frozenset()):
        if "rates" in fixed:
            return params
        exposure = stats.counts[:, None] + TINY_COUNT
        if self.prior is None:
            rates = stats.sums / exposure
        else:
            rates = self.prior.mode(stats.sums, exposure)
        return Tree(rates=floor_rates(rates))

    def expected_log_prob(self, stats, params):
        return float(np.sum(special.xlogy(stats.sums, params.rates))
                     - np.sum(stats.counts[:, None] * params.rates)
                     - np.sum(stats.log_factorials))

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(params.rates)

    def validate(self, X):
        X = finite_values(X, self.family)
        check_values(X, ~is_count(X), self.family, lambda column: "non-negative integer counts",
                     "Round or remove the value.")

    def sample(self, params, labels, rng):
        return rng.poisson(params.rates[labels]).astype(float)
