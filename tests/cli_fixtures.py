"""Data files for the command-line tests (imported by them): a mixture table and sequences."""
import numpy as np
import pytest

import emkit

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="session")
def faithful():
    return emkit.datasets.load_old_faithful()


@pytest.fixture(scope="session")
def sequences():
    """Three sequences of a 2-state, 2-feature Gaussian HMM drawn by numpy (seeded)."""
    rng = np.random.default_rng(3)
    transmat = np.array([[0.9, 0.1], [0.2, 0.8]])
    means = np.array([[0.0, 0.0], [4.0, 3.0]])
    rows, ids = [], []
    for s, length in enumerate((60, 50, 40)):
        state = 0
        for _ in range(length):
            rows.append(means[state] + rng.normal(size=2))
            ids.append(s)
            state = rng.choice(2, p=transmat[state])
    return np.array(rows), np.array(ids), np.array([60, 50, 40])


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory, faithful, sequences):
    """``faithful.{csv,parquet}`` with extra ``label`` and ``id`` columns, and
    ``seq.{csv,parquet}`` with a sequence column ``run``."""
    folder = tmp_path_factory.mktemp("cli-data")
    frame = pd.DataFrame(faithful, columns=["eruptions", "waiting"]).assign(
        label=np.arange(len(faithful)) % 2, id=[f"r{i}" for i in range(len(faithful))])
    frame.to_csv(folder / "faithful.csv", index=False, float_format="%.17g")
    frame.to_parquet(folder / "faithful.parquet", index=False)
    X, runs, _ = sequences
    seq = pd.DataFrame({"run": runs, "a": X[:, 0], "b": X[:, 1]})
    seq.to_csv(folder / "seq.csv", index=False, float_format="%.17g")
    seq.to_parquet(folder / "seq.parquet", index=False)
    return folder
