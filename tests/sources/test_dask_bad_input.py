"""Dask inputs that cannot be fitted, and a scheduler that does not answer, get clear errors."""
import socket
import time

import numpy as np
import pytest

import emkit
from emkit.backends.dask_backend import DaskBackend, connect
from emkit.sources import DaskSource
from conftest import closed_port

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

X = np.random.default_rng(0).normal(size=(300, 4))


def test_an_array_chunked_along_columns_gets_the_rechunk_call():
    columns_split = da.from_array(X, chunks=(100, 2))
    with pytest.raises(ValueError, match=r"chunked along its columns \(column chunks \(2, 2\)\)"
                                         r".*X = X.rechunk\(\{1: -1\}\)"):
        emkit.GaussianMixture(2).fit(columns_split)
    fixed = columns_split.rechunk({1: -1})  # the call the message gives works
    assert DaskSource.from_collection(fixed).n_features == 4


def test_unknown_chunk_sizes_and_wrong_shapes():
    x = da.from_array(X, chunks=(100, -1))
    with pytest.raises(ValueError, match=r"unknown chunk sizes.*compute_chunk_sizes\(\)"):
        DaskSource.from_collection(x[x[:, 0] > 0])
    with pytest.raises(ValueError, match=r"must be 2-D .* got shape \(300,\)"):
        DaskSource.from_collection(x[:, 0])


def test_missing_and_non_numeric_dataframe_columns():
    frame = dd.from_pandas(pd.DataFrame({"a": np.arange(10.0), "s": ["x"] * 10}),
                           npartitions=2)
    with pytest.raises(ValueError, match=r"column\(s\) 's' \(\w+\) are not numeric.*"
                                         r"columns=\['a'\]"):
        DaskSource.from_collection(frame)
    with pytest.raises(ValueError, match=r"columns 'q' not found in the dask DataFrame; it has "
                                         r"the columns 'a', 's'"):
        DaskSource.from_collection(frame, columns=["a", "q"])
    assert DaskSource.from_collection(frame, columns=["a"]).n_features == 1


def test_a_partition_whose_type_disagrees_with_the_metadata():
    good = dask.delayed(pd.DataFrame)({"a": np.arange(5.0), "b": np.ones(5)})
    bad = dask.delayed(pd.DataFrame)({"a": ["x"] * 5, "b": np.ones(5)})
    meta = pd.DataFrame({"a": np.empty(0), "b": np.empty(0)})
    frame = dd.from_delayed([good, bad], meta=meta, verify_meta=False)
    with pytest.raises(ValueError, match=r"column 'a' has mixed types across blocks: float64 "
                                         r"in the dask DataFrame's metadata but \w+ in "
                                         r"partition 1"):
        DaskSource.from_collection(frame)


def test_an_array_block_whose_type_disagrees_with_the_metadata():
    lying = da.from_delayed(dask.delayed(lambda: X[150:].astype("f4"))(), shape=(150, 4),
                            dtype="f8")
    mixed = da.concatenate([da.from_array(X[:150], chunks=(50, -1)), lying])
    model = emkit.Mixture(emkit.Gaussian(), 2)
    with pytest.raises(ValueError, match=r"mixed types across blocks: float64 in X's metadata "
                                         r"but float32 in rows 150 to 299 of X"):
        emkit.fit(model, mixed, backend=DaskBackend(), max_iter=2)


def test_non_finite_values_and_bad_weights_are_reported_by_row():
    Y = X.copy()
    Y[250, 1] = np.inf
    with pytest.raises(ValueError, match=r"column 1 has infinity at row 250"):
        emkit.fit(emkit.Mixture(emkit.Gaussian(), 2), da.from_array(Y, chunks=(100, -1)),
                  backend=DaskBackend())
    weights = np.ones(300)
    weights[42] = -1.0
    source = DaskSource.from_collection(da.from_array(X, chunks=(100, -1)),
                                       sample_weight=weights)
    with pytest.raises(ValueError, match=r"sample_weight must be finite and non-negative; row "
                                         r"42 has -1.0"):
        source.total_weight


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()


@pytest.mark.parametrize("address", ["silent", "closed"])
def test_a_scheduler_that_does_not_answer_fails_within_the_timeout(address, silent_server):
    address = silent_server if address == "silent" else closed_port()
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=rf"no Dask scheduler answered at '{address}' "
                                              r"within 1 s"):
        connect(address, timeout=1.0)
    assert time.monotonic() - started < 5.0


def test_a_malformed_scheduler_address():
    with pytest.raises(ValueError, match=r"scheduler address 'localhost' is not valid.*"
                                         r"tcp://host:8786"):
        connect("localhost")


def test_connect_reaches_a_running_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, processes=False,
                                  dashboard_address=":0") as cluster:
        backend = connect(cluster.scheduler_address, timeout=5.0)
        try:
            model = emkit.Mixture(emkit.Gaussian("diag"), 2)
            result = emkit.fit(model, X, backend=backend, max_iter=3, tol=1e-2)
            assert np.isfinite(result.log_likelihood)
        finally:
            backend.client.close()
