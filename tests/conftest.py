"""Shared fixtures: small synthetic data sets with known structure."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

# The suite runs on two xdist workers over two cores: BLAS threads would only oversubscribe.
threadpool_limits(1)

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def make_blobs(n_per=150, n_features=3, n_components=3, seed=0, spread=4.0):
    """Gaussian blobs with random covariances; returns X of shape (n_per * K, D)."""
    rng = np.random.RandomState(seed)
    blocks = []
    for _ in range(n_components):
        mixing = rng.randn(n_features, n_features) * 0.7 + np.eye(n_features)
        blocks.append(rng.randn(n_per, n_features) @ mixing + rng.randn(n_features) * spread)
    return np.vstack(blocks)


@pytest.fixture
def blobs():
    return make_blobs()
