"""Files that cannot be fitted get one clear error naming the file, column and what to do."""
import numpy as np
import pytest

import emkit
from emkit.sources import open_source

pd = pytest.importorskip("pandas")
zarr = pytest.importorskip("zarr")


@pytest.fixture
def table(tmp_path):
    X = np.random.default_rng(0).normal(size=(300, 2))
    path = tmp_path / "table.parquet"
    pd.DataFrame(X, columns=["a", "b"]).assign(label="x").to_parquet(path)
    return path


@pytest.mark.parametrize("name", ["missing.parquet", "missing.csv", "missing.npy",
                                  "missing.zarr"])
def test_a_file_that_does_not_exist(name, tmp_path):
    with pytest.raises(FileNotFoundError, match=rf"data file '.*{name}' does not exist"):
        open_source(tmp_path / name)


def test_missing_columns_are_named_with_the_columns_there_are(table):
    with pytest.raises(ValueError, match=r"columns 'zz' not found in .*table.parquet; it has "
                                         r"the columns 'a', 'b', 'label'"):
        open_source(table, ["a", "zz"])


def test_non_numeric_columns_are_named_with_a_way_out(table):
    with pytest.raises(ValueError, match=r"column\(s\) 'label' \(large_string\) are not "
                                         r"numeric.*columns=\['a', 'b'\]"):
        open_source(table)
    assert open_source(table, ["a", "b"]).n_features == 2


def test_a_column_of_text_in_a_csv_is_not_numeric(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": [1.0, 2.0], "s": ["u", "v"]}).to_csv(path, index=False)
    source = open_source(path)
    with pytest.raises(ValueError, match=r"column\(s\) 's' \(\w+\) are not numeric"):
        list(source.blocks(10))


def test_mixed_types_across_parquet_files(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"a": np.arange(5), "b": np.ones(5)}).to_parquet(folder / "p0.parquet")
    pd.DataFrame({"a": np.arange(5.0), "b": np.ones(5)}).to_parquet(folder / "p1.parquet")
    with pytest.raises(ValueError, match=r"column 'a' has mixed types across blocks: int64 in "
                                         r".*p0.parquet but float64 in .*p1.parquet"):
        open_source(folder)


def test_mixed_types_across_csv_chunks(tmp_path):
    values = np.arange(3000.0).astype(object)
    values[2500] = "oops"
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": values, "b": 1.0}).to_csv(path, index=False)
    source = open_source(path)
    with pytest.raises(ValueError, match=r"column 'a' has mixed types across blocks: float64 "
                                         r"in the first rows of .* but \w+ in rows 2000 to "
                                         r"2999"):
        list(source.blocks(1000))


def test_a_missing_column_in_a_later_parquet_file(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"a": np.ones(3), "b": np.ones(3)}).to_parquet(folder / "p0.parquet")
    pd.DataFrame({"a": np.ones(3)}).to_parquet(folder / "p1.parquet")
    with pytest.raises(ValueError, match=r"columns 'b' not found in .*p1.parquet"):
        open_source(folder)


def test_non_finite_values_are_reported_at_their_row_in_the_file(tmp_path):
    X = np.random.default_rng(0).normal(size=(300, 2))
    X[250, 1] = np.inf  # NaN is a missing value, which the model judges (tests/test_missing)
    np.save(tmp_path / "n.npy", X)
    with pytest.raises(ValueError, match=r"n.npy column 1 has infinity at row 250"):
        list(open_source(tmp_path / "n.npy").blocks(100))


@pytest.mark.parametrize("write, message", [
    (lambda p: np.save(p / "v.npy", np.ones(5)), r"shape \(5,\); expected 2-D"),
    (lambda p: np.save(p / "v.npy", np.array([["a", "b"]])), r"'0' \(<U1\), '1' \(<U1\) are "
                                                              r"not numeric"),
])
def test_npy_files_that_are_not_numeric_tables(tmp_path, write, message):
    write(tmp_path)
    with pytest.raises(ValueError, match=message):
        open_source(tmp_path / "v.npy")


def test_a_zarr_group_names_its_arrays(tmp_path):
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    group.zeros(name="X", shape=(3, 2), dtype="f8")
    with pytest.raises(ValueError, match=r"is a Zarr group; pass the path of a 2-D array in "
                                         r"it, one of \[.*g.zarr/X'\]"):
        open_source(tmp_path / "g.zarr")


def test_an_unknown_format_asks_for_format(tmp_path):
    (tmp_path / "data.txt").write_text("a\n1\n")
    with pytest.raises(ValueError, match="cannot tell the format"):
        open_source(tmp_path / "data.txt")
    assert open_source(tmp_path / "data.txt", format="csv").n_samples == 1


def test_a_failed_fit_leaves_the_fitted_estimator_alone(tmp_path):
    good = np.random.default_rng(0).normal(size=(200, 2))
    estimator = emkit.GaussianMixture(2, random_state=0).fit(good)
    means = estimator.means_.copy()
    bad = good.copy()
    bad[150, 0] = np.inf
    np.save(tmp_path / "bad.npy", bad)
    with pytest.raises(ValueError, match="infinity"):
        estimator.fit(open_source(tmp_path / "bad.npy"))
    np.testing.assert_array_equal(estimator.means_, means)
