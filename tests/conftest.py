"""Shared fixtures and helpers: small synthetic data, a Dask cluster, the examples."""
import importlib.util
import socket
from pathlib import Path

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


@pytest.fixture(scope="module")
def client():
    """A Dask cluster of two single-threaded workers in this process (quick to start)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


def closed_port():
    """The address of a local port nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"tcp://127.0.0.1:{port}"


ROOT = Path(__file__).resolve().parents[1]


def load_example(name):
    """The module ``examples/<name>.py``, loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
