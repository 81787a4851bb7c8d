"""The Multinomial component: each row a vector of counts over C categories."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.tree import Tree
from ..engine.validation import check_positive_int, check_values
from ..priors import Dirichlet, check_concentration, check_prior
from ._discrete import (
    CountFamily, finite_values, is_count,
    log_factorial_terms, safe_log, simplex_estimate, xlogy_product,
)

__all__ = ["Multinomial"]


class Multinomial(CountFamily):
    """Multinomial count vectors, batched over K components.

    Each row of X holds counts over the C categories (the columns); its total is its own. The
    density of a row is conditional on that total, as in a mixture of multinomials for
    documents (bag-of-words counts of different lengths).

    Parameters
    ----------
    prior : emkit.priors.Dirichlet, optional
        Conjugate prior on each component's probability vector; the M-step returns the MAP.
    n_trials : int, optional
        Row total that :meth:`sample` draws. Fitting and ``log_prob`` use each row's own total
        and do not need it.

    Notes
    -----
    Parameters: ``probs`` of shape (K, C). With ``T = sum_c x_c``,

    ``log p(x | p_k) = log T! - sum_c log x_c! + sum_c x_c log p_kc``,

    which equals ``scipy.stats.multinomial(T, p_k).logpmf(x)``. Statistics (sums over rows):
    ``counts`` ``S_kc = sum_i w_ik x_ic`` and ``log_coefficients``
    ``sum_i w_ik (log T_i! - sum_c log x_ic!)`` (free of the parameters, but part of the
    bound). The M-step is ``p_kc = S_kc / sum_c S_kc``, or the Dirichlet MAP, floored at 1e-12
    (see :mod:`emkit.components._discrete`).
    """

    family = "Multinomial"

    def __init__(self, prior=None, n_trials=None):
        self.prior = check_prior(prior, Dirichlet, f"{self.family} prior")
        self.n_trials = None if n_trials is None else check_positive_int(n_trials, "n_trials")

    def __repr__(self):
        return f"Multinomial(prior={self.prior!r}, n_trials={self.n_trials!r})"

    def constraints(self):
        return {"probs": constraints.simplex}

    def row_constants(self, X):
        log_factorials, log_total_factorials = log_factorial_terms(X)
        return log_total_factorials - log_factorials

    def log_kernel(self, params, X, missing=None):
        return xlogy_product(X, safe_log(params.probs))

    def stats_with_constants(self, X, weights, constants, missing=None):
        return Tree(counts=weights.T @ X, constants=weights.T @ constants)

    def m_step(self, stats, params, fixed=frozenset()):
        if "probs" in fixed:
            return params
        return Tree(probs=simplex_estimate(stats.counts, self.prior))

    def expected_log_prob(self, stats, params):
        return float(np.sum(special.xlogy(stats.counts, params.probs))
                     + np.sum(stats.constants))

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(params.probs)

    def validate(self, X):
        X = finite_values(X, self.family)
        check_values(X, ~is_count(X), self.family, lambda column: "non-negative integer counts",
                     "Round or remove the value.")
        check_concentration(self.prior, X.shape[1], f"the {self.family} prior")

    def sample(self, params, labels, rng):
        if self.n_trials is None:
            raise ValueError(
                "sample() of a Multinomial component needs the row total to draw; create the "
                "component with Multinomial(n_trials=...)."
            )
        n_components, n_categories = params.probs.shape
        out = np.empty((len(labels), n_categories))
        for k in range(n_components):
            rows = np.flatnonzero(labels == k)
            out[rows] = rng.multinomial(self.n_trials, params.probs[k], size=rows.size)
        return out
