"""Benchmark data: a 5-component Gaussian mixture in 10 dimensions, written to Parquet in
row groups, one million rows at a time, so that writing never holds the whole file."""
from __future__ import annotations

from pathlib import Path

import numpy as np

N_FEATURES = 10
N_COMPONENTS = 5
ROWS_PER_WRITE = 1_000_000
COLUMNS = [f"x{j}" for j in range(N_FEATURES)]


def _centres():
    return np.random.default_rng(12345).uniform(-6, 6, size=(N_COMPONENTS, N_FEATURES))


def rows(n_rows, seed):
    """Rows ``[0, n_rows)`` of the benchmark data, shape (n_rows, 10), made piece by piece."""
    centres = _centres()
    for start in range(0, n_rows, ROWS_PER_WRITE):
        rng = np.random.default_rng([seed, start])
        n = min(ROWS_PER_WRITE, n_rows - start)
        labels = rng.integers(0, N_COMPONENTS, size=n)
        yield centres[labels] + rng.normal(size=(n, N_FEATURES)) * (0.5 + labels[:, None] / 4)


def in_memory(n_rows, seed=0):
    """The whole data set as one array (only for sizes that fit in memory)."""
    return np.concatenate(list(rows(n_rows, seed)))


def parquet(n_rows, folder, seed=0, row_group_size=131_072):
    """Write the data to ``folder/mixture-<n_rows>.parquet`` once; return its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(folder) / f"mixture-{n_rows}.parquet"
    if path.exists():
        return path
    schema = pa.schema([(name, pa.float64()) for name in COLUMNS])
    partial = path.with_suffix(".partial")
    with pq.ParquetWriter(partial, schema) as writer:
        for block in rows(n_rows, seed):
            table = pa.Table.from_arrays([block[:, j] for j in range(N_FEATURES)],
                                         schema=schema)
            writer.write_table(table, row_group_size=row_group_size)
    partial.rename(path)
    return path
