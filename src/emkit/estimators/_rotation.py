"""Orthogonal rotations of factor loadings (varimax, quartimax) for interpretation."""
from __future__ import annotations

import numpy as np

__all__ = ["ROTATIONS", "rotate"]

#: The orthomax criteria by name, with their weight gamma (1: varimax, 0: quartimax).
ROTATIONS = {"varimax": 1.0, "quartimax": 0.0}


def rotate(loadings, method, *, tol=1e-12, max_iter=1000):
    """Rotate loadings to maximise the orthomax criterion.

    Parameters
    ----------
    loadings : ndarray of shape (n_features, n_factors)
    method : {"varimax", "quartimax"}
    tol : float, default=1e-12
        Stop when the criterion's proxy grows by less than this fraction (tighter than
        scikit-learn's 1e-6, whose rotations can stop 1e-3 away from the optimum).
    max_iter : int, default=1000

    Returns
    -------
    ndarray of shape (n_features, n_factors)
        ``loadings @ R`` with R orthogonal: ``W W'`` (and so the likelihood) is unchanged.

    Notes
    -----
    The orthomax criterion ``sum_j [sum_d w_dj^4 - gamma / D (sum_d w_dj^2)^2]`` is raised by
    the iteration ``R <- U V'`` with ``U S V' = svd(A' (B^3 - gamma / D B diag(B'B)))``,
    ``B = A R`` (Kaiser 1958; the SVD form is due to Neudecker 1981).
    """
    gamma = ROTATIONS[method]
    n_features, n_factors = loadings.shape
    rotation = np.eye(n_factors)
    previous = 0.0
    for _ in range(max_iter):
        rotated = loadings @ rotation
        target = rotated ** 3 - (gamma / n_features) * rotated * np.sum(rotated ** 2, axis=0)
        left, singular, right = np.linalg.svd(loadings.T @ target)
        rotation = left @ right
        if previous != 0 and singular.sum() < previous * (1 + tol):
            break
        previous = singular.sum()
    return loadings @ rotation
