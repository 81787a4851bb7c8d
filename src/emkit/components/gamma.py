"""The Gamma component: independent Gamma(shape, rate) features, batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.tree import Tree
from ._collapse import check_policy, init_under_policy, settle_collapse
from ._special import gamma_shape, inverse_digamma
from ..engine.validation import check_support

__all__ = ["Gamma"]


class Gamma(Component):
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
    def _log_normaliser(params):
        shapes = params.shapes
        return np.sum(shapes * np.log(params.rates) - special.gammaln(shapes), axis=1)

    def log_prob(self, params, X):
        return (self._log_normaliser(params) + np.log(X) @ (params.shapes - 1.0).T
                - X @ params.rates.T)

    def expected_stats(self, params, X, weights):
        return Tree(n=weights.sum(axis=0), x=weights.T @ X, log_x=weights.T @ np.log(X))

    def m_step(self, stats, params, fixed=frozenset()):
        if {"shapes", "rates"} <= set(fixed):
            return params
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_x = stats.x / stats.n[:, None]
            mean_log = stats.log_x / stats.n[:, None]
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

    def init_params(self, X, resp, rng):
        """The M-step from ``resp``; under ``on_collapse="keep"`` a collapsed component
        starts from all the rows.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Starting responsibilities times sample weights.
        rng : numpy.random.Generator
            For starts that are drawn.

        Returns
        -------
        Tree
            The starting parameters.
        """
        return init_under_policy(self, X, resp)

    def expected_log_prob(self, stats, params):
        return float(stats.n @ self._log_normaliser(params)
                     + np.sum((params.shapes - 1.0) * stats.log_x)
                     - np.sum(params.rates * stats.x))

    def validate(self, X):
        check_support(X, self.family, lambda v: v > 0, "values > 0",
                      "Gamma data are strictly positive; remove or shift values <= 0, or "
                      "choose another family (Exponential allows 0).")

    def sample(self, params, labels, rng):
        return rng.gamma(params.shapes[labels], 1.0 / params.rates[labels])
