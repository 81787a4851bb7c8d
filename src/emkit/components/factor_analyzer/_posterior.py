"""The posterior of the factors (and of missing entries) of every row, under K analysers.

For a complete row, ``q(z | x) = N(M^-1 W' Psi^-1 (x - mu), M^-1)`` with one covariance for
all rows. A row with missing entries (NaN, missing at random) observes ``x_o``; then

* its density is the marginal ``N(x_o | mu_o, W_o W_o' + Psi_o)``, itself a factor analyser
  on the observed features, so ``q(z | x_o)`` is the same formula on the observed block (one
  factorisation per missingness pattern, from :func:`emkit.engine.missing.missingness_patterns`);
* the missing entries are latent too: ``x_m | z ~ N(mu_m + W_m z, Psi_m)``, so the E-step's
  moments of x are ``E[x_m] = mu_m + W_m E[z]``, ``Var[x_d] = W_d V W_d' + psi_d`` and
  ``Cov[x_d, z] = W_d V`` (V the pattern's factor covariance), and the entropy of q gains
  ``H(x_m | z) = 1/2 sum_m log(2 pi e psi_m)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...engine.missing import has_missing, missingness_patterns
from ._kernels import LOG_2PI, factor_posterior

__all__ = ["FactorPosterior", "factor_posteriors", "pattern_index"]


@dataclass(frozen=True)
class FactorPosterior:
    """The posterior of every row's factors under each of K analysers.

    Attributes
    ----------
    means : ndarray of shape (n_samples, K, Q)
        ``E[z | x_i, k]``.
    covariances : ndarray of shape (K, Q, Q), or (n_samples, K, Q, Q) when rows differ
        ``Cov[z | x_i, k]``.
    log_prob : ndarray of shape (n_samples, K)
        ``log p(x_io | k)``, the density of the observed entries.
    missing : ndarray of bool of shape (n_samples, D), or None
        Which entries are missing (None: none are).
    missing_entropy : ndarray of shape (n_samples, K)
        ``H(x_im | z, k)``, 0 for a complete row.
    """

    means: np.ndarray
    covariances: np.ndarray
    log_prob: np.ndarray
    missing: np.ndarray | None
    missing_entropy: np.ndarray

    def row_covariances(self) -> np.ndarray:
        """Covariances with a row axis, shape (n_samples, K, Q, Q)."""
        if self.covariances.ndim == 4:
            return self.covariances
        return np.broadcast_to(self.covariances, (len(self.means), *self.covariances.shape))


def factor_posteriors(X, means, loadings, noise, factors) -> FactorPosterior:
    """The factors' posterior of X's rows under K analysers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D), NaN where missing
    means : ndarray of shape (K, D)
    loadings : ndarray of shape (K, D, Q)
    noise : ndarray of shape (K, D)
    factors : list of AnalyserFactor
        Those of the complete analysers (the whole answer when X has no NaN).

    Returns
    -------
    FactorPosterior
    """
    n_samples, n_components = X.shape[0], len(means)
    out_means = np.empty((n_samples, n_components, loadings.shape[2]))
    log_prob = np.empty((n_samples, n_components))
    if not has_missing(X):
        for k, factor in enumerate(factors):
            out_means[:, k], log_prob[:, k] = factor_posterior(X, means[k], factor, noise[k])
        return FactorPosterior(out_means, np.stack([f.covariance for f in factors]), log_prob,
                               None, np.zeros((n_samples, n_components)))
    observed, pattern_of_row = pattern_index(X)
    columns = [_incomplete_posterior(X, observed, pattern_of_row, means[k], loadings[k], noise[k])
               for k in range(n_components)]
    out_means, covariances, log_prob, missing_entropy = (
        np.stack(column, axis=1) for column in zip(*columns))
    return FactorPosterior(out_means, covariances, log_prob, np.isnan(X), missing_entropy)


def pattern_index(X):
    """X's missingness patterns as a matrix, and the pattern of every row.

    Returns
    -------
    observed : ndarray of bool of shape (n_patterns, D)
        The entries each pattern observes (from
        :func:`~emkit.engine.missing.missingness_patterns`).
    pattern_of_row : ndarray of int of shape (n_samples,)
    """
    patterns = missingness_patterns(X)
    pattern_of_row = np.empty(X.shape[0], dtype=np.intp)
    for j, pattern in enumerate(patterns):
        pattern_of_row[pattern.rows] = j
    return np.array([pattern.observed for pattern in patterns]), pattern_of_row


def _incomplete_posterior(X, observed, pattern_of_row, mean, loadings, noise):
    """One analyser's posterior of rows with missing entries, all patterns at once.

    The observed block of a pattern is an analyser with loadings ``W_o`` and noise ``Psi_o``:
    ``M_p = I + W' diag(o_p / psi) W`` (Q x Q, one Cholesky per pattern), and per row the
    Woodbury identities of :mod:`._kernels` with the residual set to 0 at missing entries.
    So the work is ``O(P (D Q^2 + Q^3) + n D Q)`` for P patterns, with no loop over them.

    Returns
    -------
    means : ndarray of shape (n_samples, Q)
    covariances : ndarray of shape (n_samples, Q, Q)
    log_prob : ndarray of shape (n_samples,)
        ``log N(x_io | mu_o, W_o W_o' + Psi_o)``.
    missing_entropy : ndarray of shape (n_samples,)
        ``H(x_im | z) = 1/2 sum_m log(2 pi e psi_m)``.
    """
    n_factors = loadings.shape[1]
    precision = np.eye(n_factors) + np.einsum("dq,pd,dr->pqr", loadings, observed / noise,
                                              loadings)
    lower = np.linalg.cholesky(precision)                               # (P, Q, Q)
    inverse_lower = np.linalg.inv(lower)
    covariance = np.swapaxes(inverse_lower, 1, 2) @ inverse_lower       # M_p^-1
    log_noise = np.log(noise)
    log_det = observed @ log_noise + 2.0 * np.sum(
        np.log(np.diagonal(lower, axis1=1, axis2=2)), axis=1)          # log |C_oo|
    missing_entropy = 0.5 * (~observed @ (1.0 + LOG_2PI + log_noise))
    seen = observed[pattern_of_row]
    residual = np.where(seen, X - mean, 0.0)
    scaled = residual / noise
    projected = scaled @ loadings                                       # W_o' Psi_o^-1 r_o
    whitened = np.einsum("nqr,nr->nq", inverse_lower[pattern_of_row], projected)
    quadratic = np.einsum("nd,nd->n", residual, scaled) - np.einsum("nq,nq->n", whitened,
                                                                      whitened)
    log_prob = -0.5 * (seen.sum(axis=1) * LOG_2PI + log_det[pattern_of_row] + quadratic)
    row_covariance = covariance[pattern_of_row]
    means = np.einsum("nqr,nr->nq", row_covariance, projected)
    return means, row_covariance, log_prob, missing_entropy[pattern_of_row]
