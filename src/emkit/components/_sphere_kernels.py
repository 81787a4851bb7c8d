"""Compiled kernel of the von Mises-Fisher densities: squared chords and log densities in one
pass over the rows.

Given the matrix product ``x_i' mu_k`` (from BLAS), each entry's squared chord
``|x_i - mu_k|^2`` is formed as ``|x_i|^2 + |mu_k|^2 - 2 x_i' mu_k`` and, where that is below
``near``, summed again from the differences, which keep full relative precision for rows close
to a mean direction. A row off the sphere by rounding (``|x| = 1 + delta``) is scored as its
direction ``x / |x|``, whose squared chord is exactly ``(|x - mu|^2 - delta^2) / (1 + delta)``
(no division of the row, whose rounding would move the chord more than delta does). The log
density is ``peak_k - kappa_k |x_i / |x_i| - mu_k|^2 / 2``. The same
formulas as numpy would evaluate, in one pass instead of six over (n_samples, K) arrays; sums
may differ from numpy's in the last bits only. The body allocates nothing.
"""
import math

import numpy as np

from ..engine.compile import kernel


@kernel
def _chords_and_log_prob(products, X, directions, squared_norms, near, kappa, peak, chords,
                         log_prob):
    n_samples, n_components = products.shape
    n_features = X.shape[1]
    for i in range(n_samples):
        row_norm = 0.0
        for j in range(n_features):
            row_norm += X[i, j] * X[i, j]
        root = math.sqrt(row_norm)
        excess = (row_norm - 1.0) / (root + 1.0)  # |x| - 1, without cancellation
        for k in range(n_components):
            chord = row_norm + squared_norms[k] - 2.0 * products[i, k]
            if chord < near:
                chord = 0.0
                for j in range(n_features):
                    difference = X[i, j] - directions[k, j]
                    chord += difference * difference
            if excess != 0.0:  # the chord of the row's direction
                chord = max((chord - excess * excess) / root, 0.0)
            chords[i, k] = chord
            log_prob[i, k] = peak[k] - 0.5 * kappa[k] * chord


def chords_and_log_prob(X, directions, near, kappa, peak):
    """Squared chords ``|x_i / |x_i| - mu_k|^2`` and log densities
    ``peak_k - kappa_k chord / 2``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    directions : ndarray of shape (K, n_features)
    near : float
        Below this squared chord, it is summed from the differences.
    kappa, peak : ndarray of shape (K,)
        Concentrations and ``log C_D(kappa) + kappa``.

    Returns
    -------
    chords, log_prob : ndarray of shape (n_samples, K)
    """
    X = np.ascontiguousarray(X, dtype=float)
    directions = np.ascontiguousarray(directions, dtype=float)
    products = X @ directions.T
    chords, log_prob = np.empty_like(products), np.empty_like(products)
    _chords_and_log_prob(products, X, directions, np.einsum("kj,kj->k", directions, directions),
                         float(near), np.ascontiguousarray(kappa, dtype=float),
                         np.ascontiguousarray(peak, dtype=float), chords, log_prob)
    return chords, log_prob
