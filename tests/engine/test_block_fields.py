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


def _weighted_table(tmp_path, bad_row=None, bad_weight=-50.0):
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (3000, 2)), rng.normal(5, 1, (3000, 2))])
    weights = rng.integers(1, 4, size=6000).astype(float)
    if bad_row is not None:
        weights[bad_row] = bad_weight
    np.save(tmp_path / "table.npy", np.column_stack([X, weights]))
    return X, weights, tmp_path / "table.npy"


@pytest.mark.parametrize("backend", [NumpyBackend(chunk_size=1000), DaskBackend(chunk_size=1000)],
                         ids=["numpy", "dask"])
def test_weights_read_from_a_file_column_equal_weights_in_memory(backend, tmp_path):
    X, weights, path = _weighted_table(tmp_path)
    model = emkit.Mixture(emkit.Gaussian(), 2)
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    reference = emkit.fit(model, emkit.Block(X, weights=weights), init=start, tol=1e-10)
    streamed = emkit.fit(model, open_source(path, fields={"weights": 2}), init=start,
                         tol=1e-10, backend=backend)
    assert streamed.n_samples == weights.sum()
    np.testing.assert_allclose(streamed.params.components.means,
                               reference.params.components.means, rtol=1e-9)


@pytest.mark.parametrize("backend", [NumpyBackend(chunk_size=1000), DaskBackend(chunk_size=1000)],
                         ids=["numpy", "dask"])
def test_a_negative_weight_in_a_file_is_named_by_its_row(backend, tmp_path):
    _, _, path = _weighted_table(tmp_path, bad_row=4321)
    source = open_source(path, fields={"weights": 2}, head_rows=100)
    with pytest.raises(ValueError, match=r"sample_weight must be finite and non-negative; row "
                                         r"4321 has -50.0"):
        emkit.fit(emkit.Mixture(emkit.Gaussian(), 2), source, backend=backend, random_state=0)


def test_weights_given_in_a_block_are_checked():
    X = np.random.default_rng(0).normal(size=(50, 2))
    weights = np.ones(50)
    weights[7] = np.nan
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative; row 7"):
        emkit.fit(emkit.Mixture(emkit.Gaussian(), 2), emkit.Block(X, weights=weights))
    with pytest.raises(ValueError, match="sample weights of the data sum to 0.0"):
        emkit.fit(ZeroInflatedPoisson(), emkit.Block(np.ones((50, 1)), weights=np.zeros(50)))


def test_labels_read_from_a_file_column_steer_the_fit(tmp_path):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 1)), rng.normal(6, 1, (200, 1))])
    labels = np.full(400, -1.0)  # -1: unknown
    labels[:5], labels[-5:] = 1, 0
    np.save(tmp_path / "labelled.npy", np.column_stack([X, labels]))
    model = emkit.Mixture(emkit.Gaussian(), 2)
    in_memory = emkit.fit(model, emkit.Block(X, labels=labels.astype(int)), random_state=0)
    for backend in (NumpyBackend(chunk_size=64), DaskBackend(chunk_size=64)):
        streamed = emkit.fit(model, open_source(tmp_path / "labelled.npy",
                                                fields={"labels": 1}),
                             random_state=0, backend=backend)
        assert streamed.params.components.means[1, 0] < 1.0
        np.testing.assert_allclose(streamed.params.components.means,
                                   in_memory.params.components.means, rtol=1e-9)
    labels[10] = 0.5
    np.save(tmp_path / "labelled.npy", np.column_stack([X, labels]))
    with pytest.raises(ValueError, match="labels must hold integer codes.*row 10 has 0.5"):
        emkit.fit(model, open_source(tmp_path / "labelled.npy", fields={"labels": 1}))


def test_a_custom_model_names_the_bad_row_on_dask():
    X, exposure = _data()
    X[2500, 0] = -4.0
    source = DaskSource.from_collection(da.from_array(X, chunks=(1000, -1)),
                                        fields={"exposure": da.from_array(exposure)})
    with pytest.raises(ValueError, match="X column 0 has value -4.0 at row 2500"):
        emkit.fit(ZeroInflatedPoisson(), source, backend=DaskBackend(), random_state=0)


def test_a_field_from_a_file_reaches_the_e_step_on_dask(tmp_path):
    X, exposure = _data()
    np.save(tmp_path / "table.npy", np.column_stack([X, exposure]))
    result = _fit(open_source(tmp_path / "table.npy", fields={"exposure": 1}),
                  DaskBackend(chunk_size=1000))
    _check(result, X, exposure, n_blocks=4)
