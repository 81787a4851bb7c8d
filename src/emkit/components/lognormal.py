"""The LogNormal component: independent log-normal features, batched over K."""
from __future__ import annotations

import numpy as np

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.missing import has_missing, independent_conditionals
from ..engine.tree import Tree
from ._discrete import MissingEntries
from ..engine.validation import check_support
from .gaussian import Gaussian

__all__ = ["LogNormal"]

#: LogNormal parameter names and the names of the diagonal Gaussian on log x they are.
_GAUSSIAN_NAMES = {"means": "means", "variances": "covariances"}


class LogNormal(MissingEntries, Component):
    """Products of log-normal densities: log x_d ~ N(mean_kd, variance_kd), for x_d > 0.

    ``log p(x | k) = sum_d log N(log x_d | mean_kd, variance_kd) - log x_d``.

    Parameters
    ----------
    reg_covar : float, default=1e-6
        Added to every variance (of log x) in every M-step, as for the Gaussian.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose variance is zero: raise a ComponentCollapseError naming
        it, or keep its previous parameters and warn.

    Notes
    -----
    Parameters: ``means`` and ``variances`` of log x, each of shape (K, n_features).

    The family is a diagonal :class:`~emkit.Gaussian` on ``log x`` plus the Jacobian
    ``-sum_d log x_d``, and it is computed by one: statistics are the Gaussian's (weighted
    sums of log x and of its squares, centred on the E-step's means with an Anchor, so that no
    variance is computed as ``E[y^2] - mean^2``) plus ``log_x`` (K,),
    ``sum_i w_ik sum_d log x_id`` for the Jacobian. The M-step is the Gaussian's.

    Missing entries (NaN) are the Gaussian's missing entries on ``log x`` (with a diagonal
    covariance they drop out of the likelihood); the Jacobian sums the observed entries.
    """

    family = "LogNormal"

    def __init__(self, reg_covar=1e-6, on_collapse="raise"):
        self.normal = Gaussian("diag", reg_covar=reg_covar, on_collapse=on_collapse)

    def __repr__(self):
        return f"LogNormal(reg_covar={self.normal.reg_covar})"

    def regularisation(self):
        return self.normal.regularisation()

    def constraints(self):
        return {"means": constraints.real, "variances": constraints.positive}

    @staticmethod
    def _as_gaussian(params):
        if params is None:
            return None
        return Tree({_GAUSSIAN_NAMES[name]: value for name, value in params.items()})

    @staticmethod
    def _from_gaussian(params):
        return Tree(means=params.means, variances=params.covariances)

    @staticmethod
    def _jacobian(log_x):
        """``sum_d log x_id`` over each row's observed entries, shape (n_samples,)."""
        return np.nansum(log_x, axis=1) if has_missing(log_x) else log_x.sum(axis=1)

    def log_prob(self, params, X):
        log_x = np.log(X)
        return (self.normal.log_prob(self._as_gaussian(params), log_x)
                - self._jacobian(log_x)[:, None])

    def expected_stats(self, params, X, weights):
        log_x = np.log(X)
        normal = self.normal.expected_stats(self._as_gaussian(params), log_x, weights)
        return normal.replace(log_x=weights.T @ self._jacobian(log_x))

    def m_step(self, stats, params, fixed=frozenset()):
        fixed = frozenset(_GAUSSIAN_NAMES[name] for name in fixed)
        normal = self.normal.m_step(stats, self._as_gaussian(params), fixed=fixed)
        return self._from_gaussian(normal)

    def expected_log_prob(self, stats, params):
        return (self.normal.expected_log_prob(stats, self._as_gaussian(params))
                - float(np.sum(stats.log_x)))

    def init_params(self, X, resp, rng):
        return self._from_gaussian(self.normal.init_params(np.log(X), resp, rng))

    def validate(self, X):
        check_support(X, self.family, lambda v: v > 0, "values > 0",
                      "LogNormal data are strictly positive; remove or shift values <= 0, "
                      "or choose another family.", allow_nan=True)

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are those of a log-normal, ``exp(m + v / 2)`` and ``(exp(v) - 1) exp(2 m + v)``.

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
        means = np.exp(params.means + 0.5 * params.variances)
        return independent_conditionals(X, means, np.expm1(params.variances) * means ** 2)

    def sample(self, params, labels, rng):
        return np.exp(self.normal.sample(self._as_gaussian(params), labels, rng))
