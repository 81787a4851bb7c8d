"""A Block is an open mapping of row-aligned arrays: a custom field reaches a custom model's
E-step on the numpy backend, from a streamed file and on Dask, unchanged (issue 8)."""
import numpy as np
import pytest

import emkit
from emkit.backends import DaskBackend, NumpyBackend
from emkit.sources import DaskSource, open_source
from zip_model import ZeroInflatedPoisson, direct_mle

da = pytest.importorskip("dask.array")


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(0.5, 4.0, n)
    counts = np.where(rng.uniform(size=n) < 0.25, 0.0, rng.poisson(1.5 * exposure))
    return counts[:, None].astype(float), exposure


class SeesExposure(ZeroInflatedPoisson):
    """Records the exposure field of every block its E-step sees."""

    seen = []

    def e_step(self, params, block):
        SeesExposure.seen.append(np.array(block["exposure"]))
        return super().e_step(params, block)


def _fit(data, backend):
    SeesExposure.seen = []
    start = emkit.Tree(weights=np.array([0.5, 0.5]), rate=np.array([1.0]))
    return emkit.fit(SeesExposure(), data, init=start, backend=backend, tol=1e-12,
                     max_iter=3000)


def _check(result, X, exposure, n_blocks):
    zero_weight, rate, log_lik = direct_mle(X[:, 0], exposure)
    assert result.params.rate[0] == pytest.approx(rate, rel=1e-6)
    assert result.params.weights[0] == pytest.approx(zero_weight, rel=1e-6)
    assert result.log_likelihood == pytest.approx(log_lik, rel=1e-10)
    first_pass = SeesExposure.seen[:n_blocks]  # blocks run in any order on Dask's threads
    assert len(first_pass) == n_blocks
    np.testing.assert_array_equal(np.sort(np.concatenate(first_pass)), np.sort(exposure))


def test_a_field_reaches_the_e_step_in_memory():
    X, exposure = _data()
    result = _fit(emkit.Block(X, exposure=exposure), NumpyBackend(chunk_size=1000, n_jobs=1))
    _check(result, X, exposure, n_blocks=4)


def test_a_field_reaches_the_e_step_from_a_streamed_file(tmp_path):
    X, exposure = _data()
    np.save(tmp_path / "table.npy", np.column_stack([X, exposure]))
    source = open_source(tmp_path / "table.npy", fields={"exposure": 1})
    assert source.n_features == 1
    result = _fit(source, NumpyBackend(chunk_size=1000, n_jobs=1))
    _check(result, X, exposure, n_blocks=4)


def test_a_field_reaches_the_e_step_on_dask():
    X, exposure = _data()
    result = _fit(emkit.Block(X, exposure=exposure), DaskBackend(chunk_size=1000))
    _check(result, X, exposure, n_blocks=4)
    collection = DaskSource.from_collection(da.from_array(X, chunks=(1000, -1)),
                                            fields={"exposure": da.from_array(exposure)})
    result = _fit(collection, DaskBackend())
    _check(result, X, exposure, n_blocks=4)


def test_labels_travel_to_dask_workers_too():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 1)), rng.normal(6, 1, (200, 1))])
    labels = np.full(400, -1)
    labels[:5], labels[-5:] = 1, 0  # the low blob is component 1
    model = emkit.Mixture(emkit.Gaussian(), 2)
    block = emkit.Block(X, labels=labels)
    in_memory = emkit.fit(model, block, random_state=0)
    on_dask = emkit.fit(model, block, random_state=0, backend=DaskBackend(chunk_size=64))
    assert in_memory.params.components.means[1, 0] < 1.0
    np.testing.assert_allclose(on_dask.params.components.means,
                               in_memory.params.components.means, rtol=1e-10)
