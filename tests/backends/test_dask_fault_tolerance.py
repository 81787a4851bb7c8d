"""A worker process dies in the middle of a fit: the fit completes with the same result."""
import os
import signal
import time

import numpy as np
import pytest

import emkit
from emkit.backends import NumpyBackend
from emkit.backends.dask_backend import DaskBackend
from emkit.engine import Block, fit

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")


def _data():
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(m, 1.0, size=(600, 4)) for m in (-3.0, 0.0, 3.0)])


def _wait_until_gone(client, address, timeout=30.0):
    deadline = time.monotonic() + timeout
    while address in client.scheduler_info()["workers"]:
        if time.monotonic() > deadline:
            raise AssertionError(f"worker {address} is still alive")
        time.sleep(0.05)


@pytest.mark.slow  # two worker processes, one restarted: about 15 s on two busy cores
def test_fit_survives_a_killed_worker():
    X = _data()
    model = emkit.Mixture(emkit.Gaussian("full"), 3)
    start = model.init_params(Block(X), np.random.RandomState(0))
    reference = fit(model, X, init=start, backend=NumpyBackend(), tol=0.0, max_iter=10)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        source = DaskBackend(client).prepare(
            emkit.sources.DaskSource.from_collection(da.from_array(X, chunks=(150, -1))))
        distributed.wait(source.X)
        holders = {w for keys in client.who_has().values() for w in keys}
        assert len(holders) == 2  # the data are spread over both workers
        victim = sorted(holders)[0]
        pid = client.run(os.getpid, workers=[victim])[victim]
        killed = []

        def kill_after_second_iteration(row, params):
            if row.iteration == 2:  # SIGKILL: the worker and the blocks it holds are gone
                os.kill(pid, signal.SIGKILL)
                killed.append(victim)
            return False

        result = fit(model, source, init=start, backend=DaskBackend(client), tol=0.0,
                        max_iter=10, callbacks=[kill_after_second_iteration])
        _wait_until_gone(client, victim)
    assert killed == [victim]
    assert result.n_iter == reference.n_iter
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(result.params.get_path(path), leaf, rtol=1e-10, err_msg=path)
    np.testing.assert_allclose(result.history.column("evidence"),
                               reference.history.column("evidence"), rtol=1e-12)
