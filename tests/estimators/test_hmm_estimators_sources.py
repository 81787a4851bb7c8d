"""The HMM estimators on files streamed block by block: the fit, scores and decodings of the
same rows in memory from the same start; starting values come from head(), a sample of whole
sequences; bad input gets clear errors."""

import numpy as np
import pytest

from emkit.estimators import CategoricalHMM, GaussianHMM
from hmm_cases import fit_from, gaussian_case, poisson_case
from emkit.sources import open_source

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

RTOL = 1e-10
COLUMNS = ("evidence", "bound_e", "bound_m", "kl_gap", "change")
CHUNK_SIZE = 100  # several blocks of whole sequences


CASES = {"gaussian": lambda: gaussian_case(chunk_size=CHUNK_SIZE),
         "poisson": lambda: poisson_case(chunk_size=CHUNK_SIZE)}


def _write(fmt, X, path):
    """X as a Parquet file (small row groups, an extra text column) or a ``.npy`` file."""
    if fmt == "npy":
        np.save(path / "data.npy", X)
        return path / "data.npy", None
    names = [f"x{i}" for i in range(X.shape[1])]
    pd.DataFrame(X, columns=names).assign(note="a").to_parquet(path / "data.parquet",
                                                              row_group_size=70)
    return path / "data.parquet", names


@pytest.mark.parametrize("fmt", ["parquet", "npy"])
@pytest.mark.parametrize("case", CASES)
def test_fit_from_a_file_equals_the_in_memory_fit(case, fmt, tmp_path):
    estimator, X, lengths, start = CASES[case]()
    path, columns = _write(fmt, X, tmp_path)
    reference = fit_from(estimator, start, X, lengths)
    got = fit_from(estimator.__class__(**estimator.get_params()), start,
               open_source(path, columns, lengths=lengths))
    for name in start:
        np.testing.assert_allclose(getattr(got, name), getattr(reference, name), rtol=RTOL,
                                   atol=1e-14, err_msg=name)
    scale = abs(reference.history_[0].evidence)
    for column in COLUMNS:
        np.testing.assert_allclose(got.history_.column(column),
                                   reference.history_.column(column), rtol=0,
                                   atol=RTOL * scale, err_msg=column)
    source = open_source(path, columns, lengths=lengths)
    assert got.score(source) == pytest.approx(reference.score(X, lengths), rel=RTOL)
    np.testing.assert_allclose(got.predict_proba(source), reference.predict_proba(X, lengths),
                               rtol=0, atol=1e-10)
    np.testing.assert_array_equal(got.predict(source), reference.predict(X, lengths))
    assert got.bic(source) == pytest.approx(reference.bic(X, lengths), rel=RTOL)


def test_the_start_comes_from_head_a_sample_of_whole_sequences(tmp_path):
    """With every parameter fixed (``params=""``), the fit returns its start: the start drawn
    from the file equals the start drawn in memory from the rows of its head()."""
    _, X, lengths, _ = gaussian_case(chunk_size=CHUNK_SIZE)
    path, _ = _write("npy", X, tmp_path)
    source = open_source(path, lengths=lengths, head_rows=150)
    head = source.head()
    assert head.n_samples < X.shape[0] and head.lengths.sum() == head.n_samples
    options = dict(params="", n_iter=1, random_state=0)
    from_file = GaussianHMM(2, **options).fit(source)
    from_head = GaussianHMM(2, **options).fit(head.X, head.lengths)
    from_all = GaussianHMM(2, **options).fit(X, lengths)
    np.testing.assert_array_equal(from_file.means_, from_head.means_)
    assert not np.allclose(np.sort(from_file.means_, axis=0), np.sort(from_all.means_, axis=0))


def test_categorical_symbols_are_counted_over_the_file_not_the_head(tmp_path):
    rng = np.random.default_rng(5)
    lengths = np.full(10, 30)
    X = rng.integers(0, 3, size=(300, 1)).astype(float)
    X[277, 0] = 5  # in one sequence only
    path, _ = _write("npy", X, tmp_path)
    source = open_source(path, lengths=lengths, head_rows=60)
    assert source.head().X.max() < 5  # the sample misses the largest symbol
    reference = fit_from(CategoricalHMM(2, random_state=0, n_iter=3), {}, X, lengths)
    got = fit_from(CategoricalHMM(2, random_state=0, n_iter=3, chunk_size=CHUNK_SIZE), {}, source)
    assert got.emissionprob_.shape == reference.emissionprob_.shape == (2, 6)


# -- bad input --------------------------------------------------------------------------------
def test_lengths_that_do_not_add_up_get_the_in_memory_error(tmp_path):
    _, X, lengths, _ = gaussian_case(chunk_size=CHUNK_SIZE)
    path, _ = _write("npy", X, tmp_path)
    message = r"lengths must sum to the number of rows of X \(\d+\); got lengths summing to"
    with pytest.raises(ValueError, match=message):
        GaussianHMM(2).fit(X, lengths[:-1])
    with pytest.raises(ValueError, match=message):
        open_source(path, lengths=lengths[:-1])


def test_a_file_without_lengths_or_with_lengths_in_fit_is_refused(tmp_path):
    _, X, lengths, _ = gaussian_case(chunk_size=CHUNK_SIZE)
    path, _ = _write("npy", X, tmp_path)
    with pytest.raises(ValueError, match=r"has no sequence lengths.*open_source\(path, "
                                         r"columns, lengths=\.\.\.\)"):
        GaussianHMM(2).fit(open_source(path))
    with pytest.raises(ValueError, match=r"lengths and other row inputs cannot be given with a "
                                         r"data source; pass them to emkit.sources.open_source"):
        GaussianHMM(2).fit(open_source(path), lengths)


def test_values_outside_the_support_are_found_in_their_block(tmp_path):
    estimator, X, lengths, start = poisson_case(chunk_size=CHUNK_SIZE)
    X = X.copy()
    X[300, 2] = 2.5
    path, _ = _write("npy", X, tmp_path)
    with pytest.raises(ValueError, match=r"value 2.5 at row 300; a Poisson component"):
        fit_from(estimator, start, X, lengths)
    # streamed block by block (and past the head sample): the row counted in the whole file
    with pytest.raises(ValueError, match=r"value 2.5 at row 300; a Poisson component"):
        fit_from(estimator, start, open_source(path, lengths=lengths, head_rows=100))
