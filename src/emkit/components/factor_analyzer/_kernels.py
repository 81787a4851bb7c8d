"""The linear algebra of one factor analyser: posterior of the factors, density, M-step.

One analyser is ``x = mu + W z + eps``, ``z ~ N(0, I_Q)``, ``eps ~ N(0, Psi)`` with Psi
diagonal, so ``x ~ N(mu, C)``, ``C = W W' + Psi``. Everything here works with Q x Q matrices
and never forms C (D x D): with ``M = I + W' Psi^-1 W = L L'`` (Cholesky),

* ``q(z | x) = N(M^-1 W' Psi^-1 (x - mu), M^-1)``;
* ``log |C| = log |Psi| + log |M|`` and, with ``u = L^-1 W' Psi^-1 (x - mu)``,
  ``(x - mu)' C^-1 (x - mu) = (x - mu)' Psi^-1 (x - mu) - u'u`` (Woodbury).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "LOG_2PI",
    "AnalyserFactor",
    "analyser_factor",
    "factor_posterior",
    "gaussian_entropy",
    "missing_moments",
    "residual_second",
    "row_stats",
    "solve_loadings",
]

LOG_2PI = np.log(2.0 * np.pi)


@dataclass(frozen=True)
class AnalyserFactor:
    """What every row of one analyser shares.

    Attributes
    ----------
    scaled : ndarray of shape (D, Q)
        ``Psi^-1 W``.
    inverse_lower : ndarray of shape (Q, Q)
        ``L^-1``, L the Cholesky factor of ``M = I + W' Psi^-1 W``.
    covariance : ndarray of shape (Q, Q)
        ``M^-1``, the posterior covariance of the factors.
    log_det : float
        ``log |C| = log |Psi| + log |M|``.
    """

    scaled: np.ndarray
    inverse_lower: np.ndarray
    covariance: np.ndarray
    log_det: float


def analyser_factor(loadings, noise) -> AnalyserFactor:
    """The shared factor of one analyser.

    Parameters
    ----------
    loadings : ndarray of shape (D, Q)
    noise : ndarray of shape (D,)
        Diagonal of Psi (positive).

    Raises
    ------
    numpy.linalg.LinAlgError
        If M is not positive definite (non-finite parameters).
    """
    scaled = loadings / noise[:, None]
    precision = np.eye(loadings.shape[1]) + loadings.T @ scaled
    lower = np.linalg.cholesky(precision)
    inverse_lower = np.linalg.inv(lower)  # Q x Q (scipy's triangular solve costs more here)
    log_det = float(np.sum(np.log(noise)) + 2.0 * np.sum(np.log(np.diag(lower))))
    return AnalyserFactor(scaled, inverse_lower, inverse_lower.T @ inverse_lower, log_det)


def factor_posterior(X, mean, factor: AnalyserFactor, noise):
    """Posterior means of the factors and the log density of each row.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    mean : ndarray of shape (D,)
    factor : AnalyserFactor
    noise : ndarray of shape (D,)

    Returns
    -------
    means : ndarray of shape (n_samples, Q)
        ``E[z_i | x_i]``.
    log_prob : ndarray of shape (n_samples,)
        ``log N(x_i | mu, W W' + Psi)``.
    """
    residual = X - mean
    projected = residual @ factor.scaled @ factor.inverse_lower.T      # rows u_i'
    means = projected @ factor.inverse_lower                             # rows (M^-1 v_i)'
    quadratic = np.einsum("nd,nd->n", residual, residual / noise) - np.einsum(
        "nq,nq->n", projected, projected)
    return means, -0.5 * (X.shape[1] * LOG_2PI + factor.log_det + quadratic)


def gaussian_entropy(covariance):
    """Entropy of a Gaussian with covariance of shape (..., Q, Q), shape (...)."""
    _, log_det = np.linalg.slogdet(covariance)
    return 0.5 * (np.shape(covariance)[-1] * (1.0 + LOG_2PI) + log_det)


def row_stats(X, weights, shift, means, covariance):
    """One analyser's statistics of weighted rows and their factors' posterior.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    weights : ndarray of shape (n_samples,)
    shift : ndarray of shape (D,)
        The point the rows' moments are taken about.
    means : ndarray of shape (n_samples, Q)
        ``E[z_i | x_i]``.
    covariance : ndarray of shape (Q, Q), or (n_samples, Q, Q)
        ``Cov[z_i | x_i]``, the same for every row or one per row.

    Returns
    -------
    tuple of ndarray
        ``(n, first (D,), second (D,), cross (D, Q), z_first (Q,), z_second (Q, Q))``, the
        fields of :class:`~emkit.components.factor_analyzer._moments.FactorMoments` for k.
    """
    residual = X - shift
    weighted = weights[:, None] * residual
    weighted_means = weights[:, None] * means
    n = float(np.sum(weights))
    return (n, weighted.sum(axis=0), np.einsum("nd,nd->d", weighted, residual),
            weighted.T @ means, weighted_means.sum(axis=0),
            weighted_means.T @ means + (n * covariance if np.ndim(covariance) == 2 else
                                        np.einsum("n,nqr->qr", weights, covariance)))


def missing_moments(weights, missing, loadings, noise, covariances):
    """What the posterior spread of missing entries adds to one analyser's moments.

    Parameters
    ----------
    weights : ndarray of shape (n_samples,)
    missing : ndarray of bool of shape (n_samples, D)
    loadings : ndarray of shape (D, Q)
    noise : ndarray of shape (D,)
    covariances : ndarray of shape (n_samples, Q, Q)
        ``Cov[z_i | x_io]``.

    Returns
    -------
    second : ndarray of shape (D,)
        ``sum_i w_i [d missing] Var[x_id | x_io] = ... (W_d V_i W_d' + psi_d)``.
    cross : ndarray of shape (D, Q)
        ``sum_i w_i [d missing] Cov[x_id, z_i | x_io] = ... W_d V_i``.
    """
    held = weights[:, None] * missing                                   # (n, D)
    spread = np.einsum("dq,nqr,dr->nd", loadings, covariances, loadings) + noise
    return (np.einsum("nd,nd->d", held, spread),
            np.einsum("nd,dq,nqr->dr", held, loadings, covariances))


def residual_second(stats, k, loadings, offset):
    """``sum_i w_ik E[(x_i - mu - W z_i)_d ** 2]`` per feature d, shape (D,).

    ``offset`` is ``mu - shift_k`` (D,); ``stats`` is a FactorMoments.
    """
    n, first, z_first = stats.n[k], stats.first[k], stats.z_first[k]
    cross = stats.cross[k] - offset[:, None] * z_first[None, :]
    return (stats.second[k] - 2.0 * offset * first + n * offset * offset
            - 2.0 * np.einsum("dq,dq->d", loadings, cross)
            + np.einsum("dq,qr,dr->d", loadings, stats.z_second[k], loadings))


def solve_loadings(stats, k, offset=None, loadings=None):
    """The regression of the rows on their factors that maximises the bound over (mu, W).

    Parameters
    ----------
    stats : FactorMoments
    k : int
    offset : ndarray of shape (D,), optional
        ``mu - shift_k`` held fixed (then only W is solved for).
    loadings : ndarray of shape (D, Q), optional
        W held fixed (then only the offset is solved for).

    Returns
    -------
    offset : ndarray of shape (D,)
    loadings : ndarray of shape (D, Q)

    Notes
    -----
    With ``z~ = (z, 1)``, ``[W, b] = [cross, first] (E[z~ z~'])^-1`` summed over rows; the
    bound is a concave quadratic in (W, b) for any diagonal Psi, so this is its maximum.
    """
    n, first, cross = stats.n[k], stats.first[k], stats.cross[k]
    z_first, z_second = stats.z_first[k], stats.z_second[k]
    if offset is None and loadings is None:
        gram = np.block([[z_second, z_first[:, None]], [z_first[None, :], np.array([[n]])]])
        solution = np.linalg.solve(gram, np.column_stack([cross, first]).T).T
        return solution[:, -1], solution[:, :-1]
    if loadings is None:
        target = cross - offset[:, None] * z_first[None, :]
        return offset, np.linalg.solve(z_second, target.T).T
    if offset is None:
        return (first - loadings @ z_first) / n, loadings
    return offset, loadings
