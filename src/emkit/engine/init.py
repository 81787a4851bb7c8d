"""Initial responsibilities from an in-memory sample of the data.

Each initialiser maps (X, n_components, rng) to responsibilities of shape
(n_samples, n_components); a model turns them into parameters with its M-step, so one set of
initialisers serves every model (mixtures, HMM emissions, user models).
"""
from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.metrics import pairwise_distances_argmin

from .missing import fill_column_means, has_missing

__all__ = ["INITIALIZERS", "initial_responsibilities", "one_hot"]


def one_hot(labels, n_components):
    """Responsibilities of shape (n_samples, n_components) putting row i wholly on labels[i]."""
    resp = np.zeros((labels.size, n_components))
    resp[np.arange(labels.size), labels] = 1.0
    return resp


def _nearest(X, centers):
    return one_hot(pairwise_distances_argmin(X, centers), centers.shape[0])


def kmeans(X, n_components, rng):
    """Hard responsibilities from a k-means fit (one run, seeded by ``rng``)."""
    model = KMeans(n_clusters=n_components, n_init=1, random_state=rng).fit(X)
    return one_hot(model.labels_, n_components)


def kmeans_plusplus_centres(X, n_components, rng):
    """Hard responsibilities to the nearest of k-means++ seeds (no Lloyd iterations)."""
    centers, _ = kmeans_plusplus(X, n_components, random_state=rng)
    return _nearest(X, centers)


def random_from_data(X, n_components, rng):
    """Hard responsibilities to the nearest of ``n_components`` distinct random rows."""
    rows = rng.choice(X.shape[0], size=n_components, replace=False)
    return _nearest(X, X[rows])


def random(X, n_components, rng):
    """Uniform random responsibilities, normalised per row."""
    resp = rng.uniform(size=(X.shape[0], n_components))
    return resp / resp.sum(axis=1, keepdims=True)


INITIALIZERS = {
    "kmeans": kmeans,
    "k-means++": kmeans_plusplus_centres,
    "random_from_data": random_from_data,
    "random": random,
}


def initial_responsibilities(method, X, n_components, rng):
    """Responsibilities of shape (n_samples, n_components) by the named method.

    Parameters
    ----------
    method : {"kmeans", "k-means++", "random_from_data", "random"}
    X : ndarray of shape (n_samples, n_features)
        Missing values (NaN) are replaced by their column's mean for the initialiser.
    n_components : int
    rng : numpy.random.RandomState
    """
    if method not in INITIALIZERS:
        raise ValueError(f"init must be one of {sorted(INITIALIZERS)}; got {method!r}.")
    if has_missing(X):
        X = fill_column_means(X)
    return INITIALIZERS[method](X, n_components, rng)
