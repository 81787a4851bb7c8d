"""The HMM estimators on Dask collections: the fit, scores and decodings of the same rows in
memory (1e-10 relative, same anatomy) whatever the chunking, from the same start; blocks hold
whole sequences; bad input gets the in-memory errors."""

import numpy as np
import pytest

from emkit.estimators import CategoricalHMM, GaussianHMM, PoissonHMM
from hmm_cases import N_ITER, fit_from, gaussian_case, poisson_case

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

RTOL = 1e-10
COLUMNS = ("evidence", "bound_e", "bound_m", "kl_gap", "change")
CHUNKINGS = {"one block": -1, "regular": 97, "uneven": (5, 400, 1)}


CASES = {"gaussian": gaussian_case, "poisson": poisson_case}


def _chunks(chunking, n_samples):
    if not isinstance(chunking, tuple):
        return chunking
    return chunking + (n_samples - sum(chunking),)


def _assert_same_fit(got, reference, names):
    for name in ("startprob_", "transmat_", *names):
        np.testing.assert_allclose(getattr(got, name), getattr(reference, name), rtol=RTOL,
                                   atol=1e-14, err_msg=name)
    assert got.n_iter_ == reference.n_iter_ == N_ITER
    scale = abs(reference.history_[0].evidence)
    for column in COLUMNS:
        np.testing.assert_allclose(got.history_.column(column),
                                   reference.history_.column(column), rtol=0,
                                   atol=RTOL * scale, err_msg=column)


@pytest.mark.parametrize("chunking", CHUNKINGS)
@pytest.mark.parametrize("case", CASES)
def test_fit_on_a_dask_array_equals_the_in_memory_fit(case, chunking, client):
    estimator, X, lengths, start = CASES[case]()
    reference = fit_from(estimator, start, X, lengths)
    collection = da.from_array(X, chunks=(_chunks(CHUNKINGS[chunking], len(X)), -1))
    with client.as_current():
        got = fit_from(estimator.__class__(**estimator.get_params()), start, collection, lengths)
        assert got.score(collection, lengths) == pytest.approx(reference.score(X, lengths),
                                                               rel=RTOL)
        log_prob, posteriors = got.score_samples(collection, lengths)
        path_log_prob, states = got.decode(collection, lengths)
    _assert_same_fit(got, reference, [name for name in start if name not in
                                      ("startprob_", "transmat_")])
    ref_log_prob, ref_posteriors = reference.score_samples(X, lengths)
    assert log_prob == pytest.approx(ref_log_prob, rel=RTOL)
    np.testing.assert_allclose(posteriors, ref_posteriors, rtol=0, atol=1e-10)
    ref_path_log_prob, ref_states = reference.decode(X, lengths)
    assert path_log_prob == pytest.approx(ref_path_log_prob, rel=RTOL)
    np.testing.assert_array_equal(states, ref_states)


def test_default_start_from_the_sample_equals_the_in_memory_start(client):
    """Under 100_000 rows head() holds every sequence: k-means starts where it does in memory."""
    estimator, X, lengths, _ = gaussian_case()
    estimator.set_params(init_params="stmc", random_state=0)
    reference = fit_from(estimator, {}, X, lengths)
    with client.as_current():
        got = fit_from(estimator.__class__(**estimator.get_params()), {},
                   da.from_array(X, chunks=(97, -1)), lengths)
    _assert_same_fit(got, reference, ["means_", "covars_"])


def test_a_dask_dataframe_fits_like_its_rows_and_keeps_the_column_names(client):
    estimator, X, lengths, start = gaussian_case()
    reference = fit_from(estimator, start, X, lengths)
    frame = dd.from_array(X, chunksize=150, columns=["a", "b"])
    with client.as_current():
        got = fit_from(GaussianHMM(**estimator.get_params()), start, frame, lengths)
        np.testing.assert_array_equal(got.predict(frame, lengths), reference.predict(X, lengths))
    _assert_same_fit(got, reference, ["means_", "covars_"])
    assert list(got.feature_names_in_) == ["a", "b"]


def test_score_of_a_dask_array_is_one_compute():
    """On Dask's local scheduler (no client): the log-likelihood is summed in one graph."""
    from dask.callbacks import Callback

    estimator, X, lengths, start = gaussian_case()
    for name, value in start.items():
        setattr(estimator, name, value)
    computes = []
    with Callback(start=lambda dsk: computes.append(len(dsk))):
        score = estimator.score(da.from_array(X, chunks=(97, -1)), lengths)
    assert len(computes) == 1
    assert score == pytest.approx(estimator.score(X, lengths), rel=RTOL)


def test_categorical_symbols_are_counted_over_every_block(client):
    """The number of symbols is max(X) + 1 over all the data, as in memory."""
    rng = np.random.default_rng(5)
    lengths = np.full(10, 30)
    X = rng.integers(0, 3, size=(300, 1)).astype(float)
    X[277, 0] = 5  # only in the last block
    reference = fit_from(CategoricalHMM(2, random_state=0, n_iter=3), {}, X, lengths)
    with client.as_current():
        got = fit_from(CategoricalHMM(2, random_state=0, n_iter=3), {},
                   da.from_array(X, chunks=(60, -1)), lengths)
    assert got.emissionprob_.shape == reference.emissionprob_.shape == (2, 6)
    np.testing.assert_allclose(got.emissionprob_, reference.emissionprob_, rtol=RTOL)


# -- bad input --------------------------------------------------------------------------------
def test_lengths_that_do_not_add_up_get_the_in_memory_error():
    estimator, X, lengths, start = gaussian_case()
    wrong = lengths[:-1]
    with pytest.raises(ValueError) as in_memory:
        fit_from(estimator, start, X, wrong)
    message = r"lengths must sum to the number of rows of X \(\d+\); got lengths summing to"
    assert in_memory.match(message)
    collection = da.from_array(X, chunks=(97, -1))
    with pytest.raises(ValueError, match=message):
        fit_from(estimator, start, collection, wrong)
    with pytest.raises(ValueError, match=message):
        estimator.score(collection, wrong)


def test_an_array_chunked_along_columns_gets_the_rechunk_call():
    estimator, X, lengths, start = gaussian_case()
    split = da.from_array(X, chunks=(97, 1))
    message = r"chunked along its columns \(column chunks \(1, 1\)\).*X.rechunk\(\{1: -1\}\)"
    with pytest.raises(ValueError, match=message):
        fit_from(estimator, start, split, lengths)
    with pytest.raises(ValueError, match=message):
        estimator.predict(split, lengths)


def test_a_dask_array_without_lengths_is_refused_with_the_remedy():
    estimator, X, _, start = gaussian_case()
    with pytest.raises(ValueError, match=r"lengths are required for sequences held in a "
                                         r"Dask Array.*lengths=\[n_samples\]"):
        fit_from(estimator, start, da.from_array(X, chunks=(97, -1)))


def test_values_outside_the_support_are_found_in_their_block(client):
    estimator, X, lengths, start = poisson_case()
    X = X.copy()
    X[300, 2] = -1.0
    with pytest.raises(ValueError, match=r"value -1.0 at row 300; a Poisson component"):
        fit_from(estimator, start, X, lengths)
    fitted = fit_from(PoissonHMM(**estimator.get_params()), start, np.abs(X), lengths)
    with client.as_current():
        # checked block by block on the workers, the row still counted in the whole of X
        with pytest.raises(ValueError, match=r"value -1.0 at row 300; a Poisson component"):
            fit_from(PoissonHMM(**estimator.get_params()), start,
                     da.from_array(X, chunks=(97, -1)), lengths)
        with pytest.raises(ValueError, match=r"value -1.0 at row 300; a Poisson component"):
            fitted.score(da.from_array(X, chunks=(97, -1)), lengths)
    np.testing.assert_array_equal(fitted.lambdas_ > 0, True)  # the failed fit left it alone
