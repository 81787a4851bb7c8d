"""The Dask backend gives the numpy backend's fit: same parameters (1e-10 relative), same
anatomy, whatever the chunking, for a Gaussian mixture, a Poisson mixture and a Gaussian HMM."""
import numpy as np
import pytest

import emkit
from emkit.backends import NumpyBackend
from emkit.backends.dask_backend import DaskBackend
from emkit.engine import Block, fit
from emkit.models import HMM

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

RTOL = 1e-10
N_ITER = 12
COLUMNS = ("evidence", "bound_e", "bound_m", "kl_gap", "change")


def _gaussian_data(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -2.0], [-3.0, 5.0, 1.0]])
    return np.concatenate([rng.normal(c, 1.0 + i / 2, size=(200 + 50 * i, 3))
                           for i, c in enumerate(centres)])


def _poisson_data(seed=1):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.poisson(lam, size=(300, 2)) for lam in (1.0, 6.0, 15.0)])


def _hmm_data(seed=2):
    """Ten sequences of 20..79 rows from a 2-state Gaussian HMM."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 80, size=10)
    states = [np.cumsum(rng.random(n) < 0.1) % 2 for n in lengths]
    X = np.concatenate([rng.normal(1.5 * s[:, None], 1.0, size=(len(s), 2)) for s in states])
    return X, lengths


CASES = {
    "gaussian mixture": (lambda: emkit.Mixture(emkit.Gaussian("full"), 3), _gaussian_data, None),
    "poisson mixture": (lambda: emkit.Mixture(emkit.Poisson(), 3), _poisson_data, None),
    "gaussian hmm": (lambda: HMM(emkit.Gaussian("diag"), 2), lambda: _hmm_data()[0],
                     lambda: _hmm_data()[1]),
}
CHUNKINGS = {"one block": -1, "regular": 97, "uneven": (5, 400, 1, 180)}


def _fit(model, data, start, backend):
    return fit(model, data, init=start, backend=backend, tol=0.0, max_iter=N_ITER)


def _assert_same_fit(got, reference):
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(got.params.get_path(path), leaf, rtol=RTOL, atol=1e-14,
                                   err_msg=path)
    assert got.n_iter == reference.n_iter
    scale = abs(reference.history[0].evidence)
    for column in COLUMNS:
        np.testing.assert_allclose(got.history.column(column),
                                   reference.history.column(column), rtol=0,
                                   atol=RTOL * scale, err_msg=column)


def _uneven(chunks, n):
    if not isinstance(chunks, tuple):
        return chunks
    return chunks[:-1] + (n - sum(chunks[:-1]),)


@pytest.mark.parametrize("chunking", CHUNKINGS)
@pytest.mark.parametrize("case", CASES)
def test_dask_fit_equals_numpy_fit(case, chunking, client):
    make_model, make_X, make_lengths = CASES[case]
    model, X = make_model(), make_X()
    lengths = make_lengths() if make_lengths else None
    start = model.init_params(Block(X, lengths=lengths), np.random.RandomState(0))
    reference = _fit(model, Block(X, lengths=lengths), start, NumpyBackend(chunk_size=128))
    chunks = _uneven(CHUNKINGS[chunking], X.shape[0])
    source = emkit.sources.DaskSource.from_collection(
        da.from_array(X, chunks=(chunks, -1)), lengths=lengths)
    got = _fit(model, source, start, DaskBackend(client))
    _assert_same_fit(got, reference)


def test_hmm_blocks_hold_whole_sequences():
    X, lengths = _hmm_data()
    source = emkit.sources.DaskSource.from_collection(da.from_array(X, chunks=(97, -1)),
                                                      lengths=lengths)
    ends = set(np.cumsum(lengths))
    assert set(np.cumsum(source.X.chunks[0])) <= ends
    for part in source.parts():
        block_lengths, n_rows = part.lengths, part.n_rows
        assert block_lengths.sum() == n_rows
    np.testing.assert_array_equal(source.lengths, lengths)


def test_dataframe_input_gives_the_same_fit(client):
    X = _gaussian_data()
    model = emkit.Mixture(emkit.Gaussian("diag"), 3)
    start = model.init_params(Block(X), np.random.RandomState(1))
    reference = _fit(model, X, start, NumpyBackend())
    frame = dd.from_array(X, chunksize=150, columns=["a", "b", "c"])
    _assert_same_fit(_fit(model, frame, start, DaskBackend(client)), reference)


def test_weighted_rows_equal_repeated_rows(client):
    """Sample weights travel with the blocks: weight 2 is the row twice (an exact identity)."""
    X = _gaussian_data()
    weights = np.where(np.arange(len(X)) % 3 == 0, 2.0, 1.0)
    repeated = np.repeat(X, weights.astype(int), axis=0)
    model = emkit.Mixture(emkit.Gaussian("full"), 3)
    start = model.init_params(Block(X), np.random.RandomState(0))
    reference = _fit(model, repeated, start, NumpyBackend())
    source = emkit.sources.DaskSource.from_collection(da.from_array(X, chunks=(111, -1)),
                                                      sample_weight=weights)
    got = _fit(model, source, start, DaskBackend(client))
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(got.params.get_path(path), leaf, rtol=1e-9, err_msg=path)


def test_estimator_on_a_dask_array_matches_scikit_learn():
    """An independent reference: scikit-learn's EM from the same start."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture as SklearnGM

    X = _gaussian_data()
    reference = SklearnGM(3, random_state=0, tol=1e-12, max_iter=30).fit(X)
    starts = dict(weights_init=reference.weights_, means_init=reference.means_,
                  precisions_init=reference.precisions_)
    with pytest.warns(ConvergenceWarning):
        reference = SklearnGM(3, tol=0, max_iter=5, **starts).fit(X)
    ours = emkit.GaussianMixture(3, tol=0, max_iter=5, **starts)
    with pytest.warns(emkit.ConvergenceWarning):  # tol=0: runs the 5 iterations
        ours.fit(da.from_array(X, chunks=(120, -1)))
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=1e-8)
    np.testing.assert_allclose(ours.covariances_, reference.covariances_, rtol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-8)
    np.testing.assert_allclose(ours.score(da.from_array(X, chunks=(50, -1))),
                               reference.score(X), rtol=1e-10)
