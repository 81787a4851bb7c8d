"""scikit-learn's seeded starts of a GaussianMixture ("k-means++", "random_from_data").

scikit-learn gives each of the K seed rows all of its component's responsibility and no other
row any, then takes one M-step: each mean is its seed, each full, diagonal or spherical
covariance is ``reg_covar`` (one point's scatter is zero), and the tied covariance is computed
from all rows as if every row's responsibilities summed to one. emkit starts from exactly those
means and covariances. scikit-learn's starting weights sum to ``K / n_samples`` (they are
``N_k / n``); emkit normalises them, which changes nothing after the first E-step (the
responsibilities are invariant to a common factor of the weights).
"""
from __future__ import annotations

import numpy as np
from sklearn.cluster import kmeans_plusplus

from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree

__all__ = ["SEEDED", "seeded_start"]


def _seeds(method, X, n_components, rng):
    if method == "k-means++":
        return kmeans_plusplus(X, n_components, random_state=rng)[1]
    return rng.choice(X.shape[0], size=n_components, replace=False)


def _covariances(X, seeds, means, counts, covariance_type, reg_covar):
    """scikit-learn's covariance estimates for one-hot responsibilities on the seeds."""
    n_features = X.shape[1]
    seed_rows = X[seeds]
    if covariance_type == "full":
        diff = seed_rows - means
        return diff[:, :, None] * diff[:, None, :] / counts[:, None, None] + \
            reg_covar * np.eye(n_features)
    if covariance_type == "tied":
        scatter = X.T @ X - (counts * means.T) @ means
        return scatter / counts.sum() + reg_covar * np.eye(n_features)
    squares = seed_rows ** 2 / counts[:, None]
    cross = means * seed_rows / counts[:, None]
    variances = squares - 2 * cross + means ** 2 + reg_covar
    return variances if covariance_type == "diag" else variances.mean(axis=1)


def seeded_start(method, X, n_components, covariance_type, reg_covar, rng):
    """Starting parameters as scikit-learn's GaussianMixture computes them from its seeds.

    Parameters
    ----------
    method : {"k-means++", "random_from_data"}
    X : ndarray of shape (n_samples, n_features)
    rng : RandomState
        Drawn from as scikit-learn draws (the same stream gives the same seeds).

    Returns
    -------
    Tree
        ``weights`` (K,) normalised, ``components`` with ``means`` and ``covariances``.
    """
    seeds = np.asarray(_seeds(method, X, n_components, rng))
    counts = np.full(n_components, 1.0 + TINY_COUNT)
    means = X[seeds] / counts[:, None]
    covariances = _covariances(X, seeds, means, counts, covariance_type, reg_covar)
    return Tree(weights=counts / counts.sum(),
                components=Tree(means=means, covariances=covariances))


SEEDED = ("k-means++", "random_from_data")
