"""The Exponential component: independent exponential features, batched over K."""
from __future__ import annotations

import numpy as np

from .. import priors
from ..engine import constraints
from ..engine.contracts import Component
from ..engine.missing import has_missing, independent_conditionals
from ..engine.tree import Tree
from ._discrete import MissingEntries, missing_weight, split_missing
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ..engine.validation import check_support

__all__ = ["Exponential"]


class Exponential(MissingEntries, StartsUnderPolicy, Component):
    """Products of exponential densities, ``prod_d rate_kd exp(-rate_kd x_d)`` for x_d >= 0.

    Parameters
    ----------
    prior : emkit.priors.Gamma or None, default=None
        Conjugate Gamma(shape, rate) prior on every rate; the M-step then returns the
        posterior mode (MAP) and the fit tracks the log-posterior.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose rate cannot be estimated (it received no
        responsibility): raise a ComponentCollapseError naming it, or keep its previous rates
        and warn.

    Notes
    -----
    Parameters: ``rates`` of shape (K, n_features). Statistics: ``n`` (K,), the summed
    weights, and ``x`` (K, n_features), the weighted sums of X. With ``N_k = sum_i w_ik`` and
    ``S_kd = sum_i w_ik x_id`` the MLE is ``rate_kd = N_k / S_kd``; under a Gamma(a, b) prior
    the MAP is ``(N_k + a - 1) / (S_kd + b)``.

    Missing entries (NaN) are left out of the likelihood: the statistic ``missing``
    ``M_kd = sum_i w_ik [x_id missing]`` puts ``N_k - M_kd`` in place of ``N_k`` (see
    :class:`~emkit.components._discrete.MissingEntries`).
    """

    family = "Exponential"

    def __init__(self, prior=None, on_collapse="raise"):
        self.prior = priors.check_prior(prior, priors.Gamma, f"{self.family} prior")
        self.on_collapse = check_policy(on_collapse)

    def __repr__(self):
        return f"Exponential(prior={self.prior!r})"

    def constraints(self):
        return {"rates": constraints.positive}

    def log_prob(self, params, X):
        rates = params.rates
        missing = None
        if has_missing(X):
            X, missing = split_missing(X)
        out = np.log(rates).sum(axis=1) - X @ rates.T
        if missing is not None:
            out -= missing @ np.log(rates).T  # a missing entry's log rate is not in its density
        out[np.any(X < 0, axis=1)] = -np.inf  # outside the support, as scipy.stats.expon
        return out

    def expected_stats(self, params, X, weights):
        X, missing = split_missing(X) if has_missing(X) else (X, None)
        return Tree(n=weights.sum(axis=0), x=weights.T @ X,
                    missing=missing_weight(weights, missing, X.shape[1]))

    def m_step(self, stats, params, fixed=frozenset()):
        if "rates" in fixed:
            return params
        counts = stats.n[:, None] - stats.missing
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.prior is None:
                rates = counts / stats.x
            else:
                rates = self.prior.mode(counts, stats.x)
        return settle_collapse(
            Tree(rates=rates), params, stats.n, self.constraints(), self.on_collapse,
            degenerate="its weighted sum of values is zero",
            remedy="Use fewer components or pass prior=emkit.priors.Gamma(...).")

    def expected_log_prob(self, stats, params):
        rates = params.rates
        return float(stats.n @ np.log(rates).sum(axis=1) - np.sum(rates * stats.x)
                     - np.sum(stats.missing * np.log(rates)))

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(params.rates)

    def validate(self, X):
        check_support(X, self.family, lambda v: v >= 0, "values >= 0",
                      "Exponential data are durations or sizes; remove or shift negative "
                      "values, or choose another family.", allow_nan=True)

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are ``1 / rate_kd`` and ``1 / rate_kd^2``.

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
        return independent_conditionals(X, 1.0 / params.rates, params.rates ** -2.0)

    def sample(self, params, labels, rng):
        return rng.exponential(1.0 / params.rates[labels])
