"""hmmlearn's prior on the Gaussian emissions of a GaussianHMM, as a MAP objective.

hmmlearn's ``GaussianHMM`` regularises its M-step with ``means_prior`` (mu_0),
``means_weight`` (kappa), ``covars_prior`` (Psi) and ``covars_weight`` (w). Its update is

* ``mu_k = (kappa mu_0 + sum_t g_tk x_t) / (kappa + N_k)``;
* ``Sigma_k = (Psi + kappa d_k d_k' + S_k) / (a + N_k)`` with ``d_k = mu_k - mu_0``, ``S_k`` the
  scatter about ``mu_k`` and ``a = max(w - D, 0)`` for full (and tied, pooled over k) or
  ``a = max(w - 1, 0)`` per coordinate for diag (spherical: the mean of the diagonal).

That update is the exact joint maximiser over (mu_k, Sigma_k) of the expected complete-data
log-likelihood plus the (improper) log density

``sum_k [ -kappa/2 d_k' Sigma_k^-1 d_k - a/2 log|Sigma_k| - 1/2 tr(Psi Sigma_k^-1) ]``

(for every structure, with ``|Sigma|`` and ``tr`` read per coordinate for diag and spherical),
so EM with it climbs the log-posterior and the anatomy holds. A scalar Psi is added to every
entry of a full matrix, as hmmlearn adds it.
"""
from __future__ import annotations

import numbers

import numpy as np

from ...engine.arguments import RecordsArguments

__all__ = ["HmmlearnGaussianPrior"]

#: hmmlearn's floor on the diagonal denominators ``max(w - 1, 0) + N_k``.
_DIAGONAL_FLOOR = 1e-5


def _number(value, name, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return float(value)


def _array(value, name):
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return array


class HmmlearnGaussianPrior(RecordsArguments):
    """hmmlearn's means and covariance prior of a Gaussian component (see the module).

    Parameters
    ----------
    means_prior : float or array-like broadcastable to (K, D), default=0
        mu_0.
    means_weight : float, default=0
        kappa >= 0: how many pseudo-observations sit at mu_0.
    covars_prior : float or array-like, default=1e-2
        Psi, broadcast against the covariances' scatter: (K, D) for diag and spherical,
        (K, D, D) for full, (D, D) for tied. Must be >= 0 elementwise for diag and spherical.
    covars_weight : float, default=1
        w: the covariance denominators gain ``max(w - D, 0)`` (full, tied) or
        ``max(w - 1, 0)`` (diag, spherical).
    """

    def __init__(self, means_prior=0.0, means_weight=0.0, covars_prior=1e-2, covars_weight=1.0):
        self.means_prior = _array(means_prior, "means_prior")
        self.means_weight = _number(means_weight, "means_weight", minimum=0)
        self.covars_prior = _array(covars_prior, "covars_prior")
        self.covars_weight = _number(covars_weight, "covars_weight")

    def __repr__(self):
        return (f"HmmlearnGaussianPrior(means_prior={self.means_prior.tolist()!r}, "
                f"means_weight={self.means_weight!r}, covars_prior="
                f"{self.covars_prior.tolist()!r}, covars_weight={self.covars_weight!r})")

    def extra_weight(self, structure, n_features):
        """``a``: what the prior adds to every covariance denominator."""
        if structure.dense:
            return max(self.covars_weight - n_features, 0.0)
        return max(self.covars_weight - 1.0, 0.0)

    # -- the M-step -------------------------------------------------------------------------
    def means(self, moments, counts):
        """``(kappa mu_0 + sum_t g_tk x_t) / (kappa + N_k)``, shape (K, D)."""
        sums = moments.n[:, None] * moments.shift + moments.first
        return ((self.means_weight * self.means_prior + sums)
                / (self.means_weight + counts[:, None]))

    def covariances(self, structure, moments, means, counts):
        """hmmlearn's covariance update in the structure's own shape."""
        n_features = means.shape[1]
        diff = means - self.means_prior
        a = self.extra_weight(structure, n_features)
        if structure.dense:
            numerator = (self.means_weight * diff[:, :, None] * diff[:, None, :]
                         + moments.about(means))
            if structure.shared:
                return (self.covars_prior + numerator.sum(axis=0)) / (a + counts.sum())
            return (self.covars_prior + numerator) / (a + counts[:, None, None])
        numerator = self.means_weight * diff ** 2 + moments.about(means)
        variances = (self.covars_prior + numerator) / np.maximum(a + counts[:, None],
                                                                 _DIAGONAL_FLOOR)
        return variances.mean(axis=1) if structure.name == "spherical" else variances

    # -- the objective ----------------------------------------------------------------------
    def log_pdf(self, structure, params):
        """The log prior density (up to a constant) of ``params`` (means, covariances)."""
        means, covariances = params.means, params.covariances
        n_states, n_features = means.shape
        diff = means - self.means_prior
        a = self.extra_weight(structure, n_features)
        if structure.dense:
            full = covariances[None] if structure.shared else covariances
            inverse = np.linalg.inv(full)
            log_det = np.linalg.slogdet(full)[1]
            psi = np.broadcast_to(self.covars_prior, full.shape)
            quadratic = np.einsum("ka,kab,kb->", diff, np.broadcast_to(
                inverse, (n_states, n_features, n_features)), diff)
            return float(-0.5 * self.means_weight * quadratic - 0.5 * a * np.sum(log_det)
                         - 0.5 * np.einsum("kab,kba->", psi, inverse))
        variances = covariances if structure.name == "diag" else \
            np.repeat(covariances[:, None], n_features, axis=1)
        psi = np.broadcast_to(self.covars_prior, variances.shape)
        return float(np.sum(-0.5 * (self.means_weight * diff ** 2 + psi) / variances
                            - 0.5 * a * np.log(variances)))
