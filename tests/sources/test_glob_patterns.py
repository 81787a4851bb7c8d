"""open_source takes glob patterns: the files a pattern names are read as one data set."""
import numpy as np
import pytest

import emkit
from emkit.sources import open_source

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def _parts(tmp_path, n_files=3, rows=200):
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame(rng.normal(size=(rows, 2)) + 4 * (i % 2), columns=["a", "b"])
              for i in range(n_files)]
    (tmp_path / "big").mkdir()
    for i, frame in enumerate(frames):
        frame.to_parquet(tmp_path / "big" / f"part-{i}.parquet")
    (tmp_path / "big" / "notes.txt").write_text("not data")
    return pd.concat(frames, ignore_index=True)


def test_a_pattern_reads_every_matching_file_in_name_order(tmp_path):
    whole = _parts(tmp_path)
    source = open_source(str(tmp_path / "big" / "*.parquet"), columns=["a", "b"])
    rows = np.vstack([block.X for block in source.blocks(150)])
    np.testing.assert_array_equal(rows, whole.to_numpy())
    streamed = emkit.GaussianMixture(2, random_state=0).fit(
        open_source(str(tmp_path / "big" / "part-?.parquet")))
    in_memory = emkit.GaussianMixture(2, random_state=0).fit(whole.to_numpy())
    np.testing.assert_allclose(np.sort(streamed.means_, axis=0),
                               np.sort(in_memory.means_, axis=0), rtol=1e-6, atol=1e-8)


def test_a_pattern_matching_one_csv_file_reads_it(tmp_path):
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 4.0]})
    frame.to_csv(tmp_path / "only.csv", index=False)
    source = open_source(str(tmp_path / "on[l]y.csv"))
    np.testing.assert_array_equal(np.vstack([b.X for b in source.blocks(10)]), frame.to_numpy())


def test_a_pattern_matching_nothing_names_the_pattern(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file matches the pattern '.*\*\.parquet'"):
        open_source(str(tmp_path / "*.parquet"))


def test_several_csv_files_say_that_only_parquet_reads_several(tmp_path):
    for name in ("a.csv", "b.csv"):
        pd.DataFrame({"x": [1.0, 2.0]}).to_csv(tmp_path / name, index=False)
    with pytest.raises(ValueError, match="names 2 csv files .*only Parquet reads several"):
        open_source(str(tmp_path / "*.csv"))
