"""Starting parameters of a factor analyser from weighted rows: principal axes, or random.

The principal start is the closed-form optimum of the loadings for a noise of the form
``Psi = nu * s`` with a known scale s (D,): with ``(lambda_j, u_j)`` the top eigenpairs of
``s^-1/2 S s^-1/2`` (S the weighted covariance), ``W = s^1/2 U diag(max(lambda - nu, 0))^1/2``
(Tipping & Bishop 1999, applied to the rescaled data). The noise level nu is the mean of the
discarded eigenvalues unless the noise is given:

* isotropic noise: s = 1, which is exactly the maximum-likelihood PPCA;
* diagonal noise: s = diag(S) (PPCA of the correlation matrix, scaled back), or s = the
  given ``noise_variance_init`` with nu = 1 (as scikit-learn's first iteration).
"""
from __future__ import annotations

import numpy as np
from sklearn.utils.extmath import randomized_svd

__all__ = ["INITS", "SVD_METHODS", "principal_start", "random_start"]

INITS = ("pca", "random")
SVD_METHODS = ("lapack", "randomized")

#: Smallest noise level of a start, relative to the mean scaled variance.
_MIN_RELATIVE_NOISE = 1e-6


def _scaled_rows(X, weights):
    """Weighted mean (D,) and rows Y with ``Y'Y`` the weighted covariance, (n, D)."""
    total = float(np.sum(weights))
    mean = weights @ X / total
    return mean, np.sqrt(weights / total)[:, None] * (X - mean)


def _top_eigen(rows, n_factors, svd_method, iterated_power, rng):
    """Top eigenvalues (Q,) and eigenvectors (D, Q) of ``rows' rows``."""
    if svd_method == "randomized":
        _, singular, vt = randomized_svd(rows, n_factors, n_iter=iterated_power,
                                         random_state=rng)
        return singular ** 2, vt.T
    values, vectors = np.linalg.eigh(rows.T @ rows)
    order = np.argsort(values)[::-1][:n_factors]
    return values[order], vectors[:, order]


def principal_start(X, weights, n_factors, *, isotropic, noise_init=None, svd_method="lapack",
                    iterated_power=3, rng=None):
    """Mean (D,), loadings (D, Q) and noise variances (D,) from the principal axes.

    Parameters
    ----------
    X : ndarray of shape (n_samples, D)
    weights : ndarray of shape (n_samples,)
        Non-negative row weights with a positive sum.
    n_factors : int
    isotropic : bool
        One noise variance for every feature.
    noise_init : ndarray of shape (D,), optional
        Starting noise variances (diagonal noise only).
    svd_method : {"lapack", "randomized"}
        A full eigendecomposition, or a randomized SVD of the rows (``iterated_power`` power
        iterations) for many features.
    iterated_power : int
    rng : numpy.random.RandomState, optional
    """
    mean, rows = _scaled_rows(X, weights)
    n_features = X.shape[1]
    if isotropic:
        scale = np.ones(n_features)
    elif noise_init is not None:
        scale = np.asarray(noise_init, dtype=float)
    else:
        scale = np.maximum(np.einsum("nd,nd->d", rows, rows), np.finfo(float).tiny)
    rows = rows / np.sqrt(scale)
    values, vectors = _top_eigen(rows, n_factors, svd_method, iterated_power, rng)
    if noise_init is not None and not isotropic:
        level = 1.0
    else:
        trace = float(np.sum(rows * rows))
        discarded = (trace - values.sum()) / max(n_features - n_factors, 1)
        level = max(discarded, _MIN_RELATIVE_NOISE * trace / n_features)
    loadings = np.sqrt(scale)[:, None] * vectors * np.sqrt(np.maximum(values - level, 0.0))
    return mean, loadings, level * scale


def random_start(X, weights, n_factors, rng):
    """Mean (D,), random loadings (D, Q) of the data's scale and noise variances diag(S)."""
    mean, rows = _scaled_rows(X, weights)
    variances = np.einsum("nd,nd->d", rows, rows)
    loadings = rng.standard_normal((X.shape[1], n_factors)) * np.sqrt(
        variances / (2.0 * n_factors))[:, None]
    return mean, loadings, np.maximum(variances, np.finfo(float).tiny)
