"""Progress follows the one EM loop (rows per pass, one tick per iteration) on every backend;
the Dask backend also runs on Dask's local scheduler, with no cluster."""
import io

import numpy as np
import pytest

import emkit
from emkit.backends import NumpyBackend
from emkit.backends.dask_backend import DaskBackend
from emkit.engine import Block, fit
from emkit.engine.progress import FitProgress, ProgressTracker

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


def _data():
    rng = np.random.default_rng(7)
    return np.concatenate([rng.normal(m, 1.0, size=(400, 2)) for m in (-2.0, 2.0)])


class Recorder(ProgressTracker):
    """A tracker that writes down what the engine and the backend tell it."""

    def __init__(self):
        self.runs, self.passes, self.iterations = [], [], []

    def start_run(self, n_rows, max_iter, label="EM"):
        self.runs.append((n_rows, max_iter))

    def start_pass(self):
        self.passes.append(0)

    def advance(self, n_rows):
        self.passes[-1] += n_rows

    def iteration(self, row):
        self.iterations.append(row.iteration)


def _check(recorder, result, n_rows):
    assert recorder.runs == [(n_rows, 6)]
    assert recorder.iterations == list(range(1, result.n_iter + 1))
    assert recorder.passes == [n_rows] * (result.n_iter + 1)  # one pass before each M-step


@pytest.mark.parametrize("backend", ["numpy threads", "dask local", "dask cluster"])
def test_every_backend_reports_every_row_of_every_pass(backend):
    X = _data()
    model = emkit.Mixture(emkit.Gaussian("full"), 2)
    recorder = Recorder()
    options = dict(max_iter=6, tol=0, progress=recorder, random_state=0)
    with pytest.warns(emkit.ConvergenceWarning):  # tol=0: all six iterations
        if backend == "dask cluster":
            with distributed.LocalCluster(n_workers=2, processes=False,
                                          dashboard_address=":0") as cluster, \
                    distributed.Client(cluster, set_as_default=False) as client:
                result = emkit.fit(model, da.from_array(X, chunks=(90, -1)),
                                   backend=DaskBackend(client), **options)
        else:
            chosen = NumpyBackend(chunk_size=90, n_jobs=2) if backend == "numpy threads" \
                else DaskBackend(chunk_size=90)
            result = emkit.fit(model, X, backend=chosen, **options)
    _check(recorder, result, len(X))


def test_the_local_scheduler_gives_the_numpy_fit():
    with pytest.raises(ValueError):
        distributed.default_client()  # no cluster: DaskBackend() uses Dask's threads
    X = _data()
    model = emkit.Mixture(emkit.Gaussian("tied"), 2)
    start = model.init_params(Block(X), np.random.RandomState(0))
    reference = fit(model, X, init=start, backend=NumpyBackend(), tol=0, max_iter=10)
    got = fit(model, da.from_array(X, chunks=(64, -1)), init=start, backend=DaskBackend(),
                 tol=0, max_iter=10)
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(got.params.get_path(path), leaf, rtol=1e-10, err_msg=path)
    np.testing.assert_allclose(got.history.column("evidence"),
                               reference.history.column("evidence"), rtol=1e-12)


def test_rich_bars_show_iterations_and_rows():
    from rich.console import Console

    X = _data()
    out = io.StringIO()
    with FitProgress(Console(file=out, width=120, force_terminal=False)) as bars:
        emkit.fit(emkit.Mixture(emkit.Gaussian(), 2), X, tol=1e-4, progress=bars,
                  random_state=0)
    text = out.getvalue()
    assert "iterations" in text and f"{len(X)}/{len(X)}" in text


def test_bars_are_off_by_default_and_on_with_verbose(capsys):
    X = _data()
    emkit.GaussianMixture(2, random_state=0).fit(X)
    assert capsys.readouterr().err == ""
    emkit.GaussianMixture(2, random_state=0, verbose=1).fit(X)
    assert "iterations" in capsys.readouterr().err
    emkit.GaussianMixture(2, random_state=0, verbose=1, progress=False).fit(X)
    assert capsys.readouterr().err == ""
