"""The Gamma component: independent Gamma(shape, rate) features, batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.missing import has_missing, independent_conditionals
from ..engine.tree import Tree
from ._discrete import MissingEntries, missing_weight, split_missing
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ._special import gamma_shape, inverse_digamma
from ..engine.validation import check_support

__all__ = ["Gamma"]


class Gamma(MissingEntries, StartsUnderPolicy, Component):
    """Products of Gamma densities with shape ``a_kd`` and rate ``b_kd``, for x_d > 0.

    ``log p(x | k) = sum_d a_kd log b_kd - lgamma(a_kd) + (a_kd - 1) log x_d - b_kd x_d``.

    Parameters
    ----------
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose shape has no finite maximiser (no responsibility, or
        all its values equal): raise a ComponentCollapseError naming it, or keep its previous
        parameters and warn.

    Notes
    -----
    Parameters: ``shapes`` and ``rates``, each of shape (K, n_features). Statistics: ``n``
    (K,), ``x`` and ``log_x`` (K, n_features), the weighted sums of 1, x and log x.

    The M-step maximises the weighted log-likelihood exactly. With ``xbar = x / n`` and
    ``lbar = log_x / n`` the shape solves ``log a - digamma(a) = log xbar - lbar`` (by Newton's
    method to machine precision, Minka 2002) and then ``rate = a / xbar``. With the rates fixed
    the shape solves ``digamma(a) = log b + lbar``; with the shapes fixed ``rate = a / xbar``.

    Missing entries (NaN) are left out of the likelihood: the statistic ``missing``
    ``M_kd = sum_i w_ik [x_id missing]`` makes the means per feature over observed weight,
    ``n_k - M_kd`` (see :class:`~emkit.components._discrete.MissingEntries`).

    References
    ----------
    T. P. Minka (2002). Estimating a Gamma distribution. Microsoft Research.
    """

    family = "Gamma"

    def __init__(self, on_collapse="raise"):
        self.on_collapse = check_policy(on_collapse)

    def __repr__(self):
        return "Gamma()"

    def constraints(self):
        return {"shapes": constraints.positive, "rates": constraints.positive}

    @staticmethod
    def _feature_normalisers(params):
        shapes = params.shapes
        return shapes * np.log(params.rates) - special.gammaln(shapes)

    @classmethod
    def _log_normaliser(cls, params):
        return np.sum(cls._feature_normalisers(params), axis=1)

    def log_prob(self, params, X):
        if has_missing(X):
            X, missing = split_missing(X)
            return ((~missing) @ self._feature_normalisers(params).T
                    + np.log(X + missing) @ (params.shapes - 1.0).T - X @ params.rates.T)
        return (self._log_normaliser(params) + np.log(X) @ (params.shapes - 1.0).T
                - X @ params.rates.T)

    def expected_stats(self, params, X, weights):
        if has_missing(X):
            X, missing = split_missing(X)
            return Tree(n=weights.sum(axis=0), x=weights.T @ X,
                        log_x=weights.T @ np.log(X + missing),
                        missing=missing_weight(weights, missing, X.shape[1]))
        return Tree(n=weights.sum(axis=0), x=weights.T @ X, log_x=weights.T @ np.log(X),
                    missing=missing_weight(weights, None, X.shape[1]))

    def m_step(self, stats, params, fixed=frozenset()):
        if {"shapes", "rates"} <= set(fixed):
            return params
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = stats.n[:, None] - stats.missing
            mean_x = stats.x / observed
            mean_log = stats.log_x / observed
            if "shapes" in fixed:
                shapes = params.shapes
            elif "rates" in fixed:
                shapes = inverse_digamma(np.log(params.rates) + mean_log)
            else:
                shapes = gamma_shape(np.log(mean_x) - mean_log)
            rates = params.rates if "rates" in fixed else shapes / mean_x
        return settle_collapse(
            Tree(shapes=shapes, rates=rates), params, stats.n, self.constraints(),
            self.on_collapse,
            degenerate="its values are all equal, so its shape has no finite maximiser",
            remedy="Use fewer components or remove duplicated values.")

    def expected_log_prob(self, stats, params):
        return float(stats.n @ self._log_normaliser(params)
                     + np.sum((params.shapes - 1.0) * stats.log_x)
                     - np.sum(params.rates * stats.x)
                     - np.sum(stats.missing * self._feature_normalisers(params)))

    def validate(self, X):
        check_support(X, self.family, lambda v: v > 0, "values > 0",
                      "Gamma data are strictly positive; remove or shift values <= 0, or "
                      "choose another family (Exponential allows 0).", allow_nan=True)

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are ``a_kd / b_kd`` and ``a_kd / b_kd^2``.

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
        means = params.shapes / params.rates
        return independent_conditionals(X, means, means / params.rates)

    def sample(self, params, labels, rng):
        return rng.gamma(params.shapes[labels], 1.0 / params.rates[labels])
