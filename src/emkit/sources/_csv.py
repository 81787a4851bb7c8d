"""Reading a CSV file in chunks of rows (pandas), never the whole file."""
from __future__ import annotations

import numpy as np

from ._columns import as_float_rows, check_numeric, check_same_types, is_numeric, \
    select_columns
from ._paths import existing_path

__all__ = ["CsvReader"]

_COUNT_ROWS = 1 << 20


class CsvReader:
    """Rows of a CSV file with a header line, parsed in chunks.

    Parameters
    ----------
    path : str or Path
    columns : sequence of str or int, optional
        Columns to read, by name or position; every column by default.
    sep : str, default=","
        Field separator.

    Notes
    -----
    CSV declares no types: a column only has to parse as numbers in every chunk (integers in
    one chunk and decimals in another are both read as float64). A column that holds numbers
    in early chunks and text in a later one is reported as mixed types, with its rows.
    The number of rows is counted by one pass over the file, the first time it is needed.
    """

    def __init__(self, path, columns=None, sep=","):
        import pandas as pd

        self.path = existing_path(path)
        self.where = str(path)
        self.sep = sep
        header = pd.read_csv(self.path, sep=sep, nrows=0).columns
        self.columns = select_columns(header, columns, self.where)
        self.feature_names = self.columns
        self._n_rows = None

    @property
    def n_rows(self) -> int:
        if self._n_rows is None:
            self._n_rows = sum(len(chunk) for chunk in self._chunks(_COUNT_ROWS, self.columns[:1]))
        return self._n_rows

    def _chunks(self, chunk_rows, columns):
        import pandas as pd

        return pd.read_csv(self.path, sep=self.sep, usecols=columns, chunksize=chunk_rows)

    def batches(self, batch_rows: int):
        """Yield float64 arrays of at most ``batch_rows`` rows, in file order.

        Parameters
        ----------
        batch_rows : int
            The most rows in one array.

        Yields
        ------
        ndarray of shape (n_rows, n_columns)
            float64, at most ``batch_rows`` rows each.
        """
        first_types, offset = None, 0
        for frame in self._chunks(batch_rows, self.columns):
            frame = frame[self.columns]
            rows = f"rows {offset} to {offset + len(frame) - 1} of {self.where}"
            types = dict(frame.dtypes)
            if first_types is not None:
                text = {name: dtype for name, dtype in types.items() if not is_numeric(dtype)}
                check_same_types(first_types, text, f"the first rows of {self.where}", rows)
            check_numeric(types, rows)
            first_types = first_types or types
            yield as_float_rows(frame.to_numpy(dtype=np.float64), self.where, offset)
            offset += len(frame)

    def to_dask(self):
        """The selected columns as a Dask DataFrame, parsed as float64 in parallel.

        Returns
        -------
        dask.dataframe.DataFrame
        """
        import dask.dataframe as dd

        return dd.read_csv(str(self.path), sep=self.sep, usecols=self.columns,
                           dtype={name: np.float64 for name in self.columns})[self.columns]
