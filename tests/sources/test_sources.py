"""Fitting from files streamed block by block equals fitting the same rows in memory.

Every format (Parquet, a directory of Parquet files, CSV, Zarr, .npy) is read back into the
blocks an in-memory source would cut, sequences stay whole, the initialisation sample is a
uniform sample of rows, and a pass holds one block, not the file.
"""
import tracemalloc

import numpy as np
import pytest

import emkit
from emkit.backends import NumpyBackend
from emkit.engine import Block, InMemory, fit
from emkit.sources import open_source

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
zarr = pytest.importorskip("zarr")

COLUMNS = ["x0", "x1", "x2"]


def _data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -2.0], [-2.0, 4.0, 1.0]])
    labels = rng.integers(0, 3, size=n)
    return centres[labels] + rng.normal(size=(n, 3)) * np.array([1.0, 0.5, 2.0])


def _write(fmt, X, path):
    """Write X in a format, with an extra text column the fits must leave out."""
    frame = pd.DataFrame(X, columns=COLUMNS).assign(note="a")
    if fmt == "parquet":
        target = path / "data.parquet"
        frame.to_parquet(target, row_group_size=333)
    elif fmt == "parquet-dir":
        target = path / "parts"
        target.mkdir()
        for i, part in enumerate(np.array_split(np.arange(len(X)), 4)):
            frame.iloc[part].to_parquet(target / f"part-{i}.parquet", row_group_size=200)
    elif fmt == "csv":
        target = path / "data.csv"
        frame.to_csv(target, index=False, float_format="%.17g")
    elif fmt == "zarr":
        target = path / "data.zarr"
        array = zarr.open_array(str(target), mode="w", shape=X.shape, chunks=(256, 3),
                                dtype="f8")
        array[:] = X
        array.attrs["columns"] = COLUMNS
    else:
        target = path / "data.npy"
        np.save(target, X)
    return target


FORMATS = ["parquet", "parquet-dir", "csv", "zarr", "npy"]


def _open(fmt, target, **options):
    columns = None if fmt in ("npy", "zarr") else COLUMNS
    return open_source(target, columns, **options)


@pytest.mark.parametrize("fmt", FORMATS)
def test_streamed_fit_equals_in_memory_fit(fmt, tmp_path):
    X = _data()
    source = _open(fmt, _write(fmt, X, tmp_path))
    assert (source.n_samples, source.n_features) == X.shape
    model = emkit.Mixture(emkit.Gaussian("full"), 3)
    start = model.init_params(Block(X), np.random.RandomState(0))
    backend = NumpyBackend(chunk_size=200)
    reference = fit(model, X, init=start, backend=backend, tol=0.0, max_iter=8)
    streamed = fit(model, source, init=start, backend=backend, tol=0.0, max_iter=8)
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(streamed.params.get_path(path), leaf, rtol=1e-10,
                                   err_msg=path)
    np.testing.assert_allclose(streamed.history.column("evidence"),
                               reference.history.column("evidence"), rtol=1e-12)


@pytest.mark.parametrize("fmt", ["parquet", "zarr", "npy", "csv"])
def test_files_on_the_dask_backend_give_the_in_memory_fit(fmt, tmp_path):
    from emkit.backends.dask_backend import DaskBackend

    X = _data()
    source = _open(fmt, _write(fmt, X, tmp_path))
    model = emkit.Mixture(emkit.Gaussian("diag"), 3)
    start = model.init_params(Block(X), np.random.RandomState(1))
    reference = fit(model, X, init=start, tol=0.0, max_iter=5)
    on_dask = fit(model, source, init=start, backend=DaskBackend(chunk_size=400), tol=0.0,
                     max_iter=5)
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(on_dask.params.get_path(path), leaf, rtol=1e-10,
                                   err_msg=path)


@pytest.mark.parametrize("chunk_size", [1, 77, 400, 5000])
@pytest.mark.parametrize("fmt", ["parquet", "csv", "npy"])
def test_blocks_are_cut_like_in_memory_blocks_and_keep_sequences_whole(fmt, chunk_size,
                                                                      tmp_path):
    X = _data(n=900)
    lengths = np.random.default_rng(5).multinomial(900 - 30, np.ones(30) / 30) + 1
    source = _open(fmt, _write(fmt, X, tmp_path), lengths=lengths)
    expected = list(InMemory(Block(X, lengths=lengths)).blocks(chunk_size))
    got = list(source.blocks(chunk_size))
    assert len(got) == len(expected)
    for block, reference in zip(got, expected):
        np.testing.assert_array_equal(block.X, reference.X)
        np.testing.assert_array_equal(block.lengths, reference.lengths)
        assert block.lengths.sum() == block.n_samples


def test_head_is_a_uniform_sample_of_rows_spread_over_the_file(tmp_path):
    X = np.sort(_data(n=20_000), axis=0)  # sorted: the first rows are not representative
    source = _open("npy", _write("npy", X, tmp_path), head_rows=2000)
    head = source.head()
    assert head.n_samples == 2000
    rows = {tuple(row) for row in X}
    assert all(tuple(row) in rows for row in head.X)
    position = np.searchsorted(X[:, 0], head.X[:, 0])
    assert np.histogram(position, bins=4, range=(0, 20_000))[0].min() > 400  # all quarters
    np.testing.assert_array_equal(source.head().X, head.X)  # the same sample every time
    assert source.head(10_000_000).n_samples == 20_000  # small files: every row


def test_head_takes_whole_sequences(tmp_path):
    X = _data(n=1000)
    lengths = np.full(50, 20)
    source = _open("parquet", _write("parquet", X, tmp_path), lengths=lengths)
    head = source.head(200)
    assert head.lengths.sum() == head.n_samples <= 200
    np.testing.assert_array_equal(head.lengths, 20)
    starts = np.flatnonzero((X[:, None, :] == head.X[::20][None]).all(axis=2).any(axis=1))
    assert np.all(starts % 20 == 0)


def test_estimator_fits_a_parquet_file_with_feature_names(tmp_path):
    X = _data()
    source = _open("parquet", _write("parquet", X, tmp_path))
    in_memory = emkit.GaussianMixture(3, random_state=0).fit(pd.DataFrame(X, columns=COLUMNS))
    streamed = emkit.GaussianMixture(3, random_state=0).fit(source)
    np.testing.assert_array_equal(streamed.feature_names_in_, COLUMNS)
    np.testing.assert_allclose(streamed.means_, in_memory.means_, rtol=1e-10)
    frame = pd.DataFrame(X, columns=COLUMNS)
    np.testing.assert_allclose(streamed.score(source), in_memory.score(frame), rtol=1e-12)
    np.testing.assert_array_equal(streamed.predict(source), in_memory.predict(frame))


def _peak_of_one_pass(fmt, n_rows, path):
    X = np.random.default_rng(0).normal(size=(n_rows, 3))
    source = _open(fmt, _write(fmt, X, path))
    model = emkit.Mixture(emkit.Gaussian("diag"), 2)
    params = model.init_params(source.head(1000), np.random.RandomState(0))
    backend = NumpyBackend(chunk_size=4096, n_jobs=1)
    tracemalloc.start()
    try:
        backend.map_reduce(model.e_step, params, source)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["parquet", "csv", "npy"])
def test_a_pass_holds_one_block_not_the_file(fmt, tmp_path):
    """Python-side peak memory of an E-step pass does not grow with the number of rows."""
    (tmp_path / "small").mkdir()
    (tmp_path / "large").mkdir()
    small = _peak_of_one_pass(fmt, 50_000, tmp_path / "small")
    large = _peak_of_one_pass(fmt, 400_000, tmp_path / "large")  # 9.6 MB of float64
    assert large < 1.5 * small + 100_000, f"peak {large} bytes at 8x the rows, {small} before"
    assert large < 400_000 * 3 * 8 / 8


_ONE_PASS = """
import sys
import numpy as np
import emkit
from emkit.backends import NumpyBackend
from emkit.sources import open_source
model = emkit.Mixture(emkit.Gaussian("diag"), 2)
backend = NumpyBackend(chunk_size=8192, n_jobs=1)
for path in sys.argv[1:]:
    source = open_source(path)
    params = model.init_params(source.head(2000), np.random.RandomState(0))
    backend.map_reduce(model.e_step, params, source)
print([int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0])
"""


@pytest.mark.slow  # two fresh interpreters
@pytest.mark.skipif(not __import__("os").path.exists("/proc/self/status"), reason="Linux only")
def test_peak_resident_memory_does_not_grow_with_the_file(tmp_path):
    """All allocators counted (Arrow's too): a pass over 16x the rows peaks at about the same
    resident memory (allocators warm up a little: the margin is well below the data)."""
    import subprocess
    import sys

    peaks = {}
    for n_rows in (125_000, 2_000_000):  # 10 MB and 160 MB of float64
        X = np.random.default_rng(0).normal(size=(n_rows, 10))
        pd.DataFrame(X, columns=[f"x{j}" for j in range(10)]).to_parquet(
            tmp_path / f"{n_rows}.parquet", row_group_size=65_536)
        np.save(tmp_path / f"{n_rows}.npy", X)
        del X
        run = subprocess.run([sys.executable, "-c", _ONE_PASS, str(tmp_path / f"{n_rows}.parquet"),
                              str(tmp_path / f"{n_rows}.npy")], capture_output=True, text=True,
                             check=True)
        peaks[n_rows] = int(run.stdout.strip().splitlines()[-1]) / 1024
    # MiB; the data grew by 143 MiB (reading ahead without bound once made it +150 MiB)
    assert peaks[2_000_000] < peaks[125_000] + 60, peaks
