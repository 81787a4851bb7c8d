"""Compiled Gaussian kernels: log densities and centred scatter statistics, one pass over rows.

Two shapes of precision cover the four covariance types: *dense* (a lower-triangular factor
``L_k`` with ``L_k @ L_k.T`` the precision; full and tied) and *diagonal* (per-feature square
roots of the precision; diag and spherical). The kernels release the GIL so that the backend's
threads run chunks in parallel, and they never allocate an (n_samples, K, n_features) array.
"""
import numpy as np
from numba import njit

LOG_2PI = np.log(2.0 * np.pi)


@njit(cache=True, nogil=True)
def dense_log_prob(X, means, chol_t, log_det, out):
    """Gaussian log densities with dense precision factors, written into ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    chol_t : ndarray of shape (n_components, n_features, n_features)
        Lower-triangular ``L_k``; the Mahalanobis term is ``||L_k^T-free form||``:
        ``y_j = sum_{l <= j} chol_t[k, j, l] * (x_l - mean_l)``.
    log_det : ndarray of shape (n_components,)
        ``log det L_k`` (half the log determinant of the precision).
    out : ndarray of shape (n_samples, n_components)
    """
    n, d = X.shape
    k_count = means.shape[0]
    diff = np.empty(d)
    for i in range(n):
        for k in range(k_count):
            for a in range(d):
                diff[a] = X[i, a] - means[k, a]
            q = 0.0
            for j in range(d):
                y = 0.0
                for a in range(j + 1):
                    y += chol_t[k, j, a] * diff[a]
                q += y * y
            out[i, k] = log_det[k] - 0.5 * (d * LOG_2PI + q)


@njit(cache=True, nogil=True)
def diag_log_prob(X, means, prec_sqrt, log_det, out):
    """Gaussian log densities with diagonal precisions, written into ``out``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    prec_sqrt : ndarray of shape (n_components, n_features)
        Square roots of the diagonal precisions.
    log_det : ndarray of shape (n_components,)
        ``sum_j log prec_sqrt[k, j]``.
    out : ndarray of shape (n_samples, n_components)
    """
    n, d = X.shape
    k_count = means.shape[0]
    for i in range(n):
        for k in range(k_count):
            q = 0.0
            for a in range(d):
                y = (X[i, a] - means[k, a]) * prec_sqrt[k, a]
                q += y * y
            out[i, k] = log_det[k] - 0.5 * (d * LOG_2PI + q)


@njit(cache=True, nogil=True)
def dense_scatter(X, W, shift, s0, s1, s2):
    """Accumulate weighted counts, centred sums and centred scatter matrices.

    ``s0[k] += sum_i w_ik``, ``s1[k] += sum_i w_ik (x_i - c_k)`` and
    ``s2[k] += sum_i w_ik (x_i - c_k)(x_i - c_k)^T`` with ``c_k = shift[k]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_samples, n_components)
    shift : ndarray of shape (n_components, n_features)
    s0 : ndarray of shape (n_components,)
    s1 : ndarray of shape (n_components, n_features)
    s2 : ndarray of shape (n_components, n_features, n_features)
    """
    n, d = X.shape
    k_count = shift.shape[0]
    diff = np.empty(d)
    for i in range(n):
        for k in range(k_count):
            w = W[i, k]
            if w == 0.0:
                continue
            s0[k] += w
            for a in range(d):
                diff[a] = X[i, a] - shift[k, a]
            for a in range(d):
                wa = w * diff[a]
                s1[k, a] += wa
                for b in range(d):
                    s2[k, a, b] += wa * diff[b]


@njit(cache=True, nogil=True)
def diag_scatter(X, W, shift, s0, s1, s2):
    """Like :func:`dense_scatter` with only the diagonal of the scatter, ``s2`` (K, D)."""
    n, d = X.shape
    k_count = shift.shape[0]
    for i in range(n):
        for k in range(k_count):
            w = W[i, k]
            if w == 0.0:
                continue
            s0[k] += w
            for a in range(d):
                t = X[i, a] - shift[k, a]
                wt = w * t
                s1[k, a] += wt
                s2[k, a] += wt * t
