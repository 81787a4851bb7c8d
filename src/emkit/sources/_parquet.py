"""Reading Parquet files in batches of rows (pyarrow), never the whole table."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._columns import as_float_rows, check_numeric, check_same_types, select_columns
from ._paths import existing_files

__all__ = ["ParquetReader"]


def _column_types(schema, names):
    """``{name: numpy dtype, or the Arrow type when numpy has no equivalent}``."""
    import pyarrow as pa

    types = {}
    for name in names:
        arrow_type = schema.field(name).type
        numeric = pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) \
            or pa.types.is_boolean(arrow_type)
        types[name] = np.dtype(arrow_type.to_pandas_dtype()) if numeric else arrow_type
    return types


def _read_piece(path, row_group, columns):
    """Rows of one row group as float64, shape (n_rows, n_columns) (a Dask task)."""
    import pyarrow.parquet as pq

    return _batch_values(pq.ParquetFile(path).read_row_group(row_group, columns=columns),
                         columns)


def _batch_values(batch, columns):
    """A record batch or table as a float64 array of shape (n_rows, n_columns)."""
    import pyarrow as pa

    out = np.empty((batch.num_rows, len(columns)))
    for j, name in enumerate(columns):
        out[:, j] = batch.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)
    return out


class ParquetReader:
    """Rows of one or more Parquet files, read in batches.

    Parameters
    ----------
    path : str, Path or sequence of them
        A Parquet file, a directory of ``*.parquet`` files (read in name order), or a list of
        files. Every file must hold the selected columns with the same types.
    columns : sequence of str or int, optional
        Columns to read, by name or position; every column by default.
    """

    def __init__(self, path, columns=None):
        import pyarrow.parquet as pq

        self.files = existing_files(path, suffix=".parquet")
        self.where = str(self.files[0]) if len(self.files) == 1 else \
            f"the Parquet files in {Path(self.files[0]).parent}"
        metadata = [pq.read_metadata(f) for f in self.files]
        schemas = [m.schema.to_arrow_schema() for m in metadata]
        self.columns = select_columns(schemas[0].names, columns, str(self.files[0]))
        self.feature_names = self.columns
        self._check_types(schemas)
        self.row_groups = [(f, g, m.row_group(g).num_rows)
                           for f, m in zip(self.files, metadata) for g in range(m.num_row_groups)]
        self.n_rows = sum(m.num_rows for m in metadata)

    def _check_types(self, schemas):
        first = _column_types(schemas[0], self.columns)
        check_numeric(first, str(self.files[0]))
        for path, schema in zip(self.files[1:], schemas[1:]):
            select_columns(schema.names, self.columns, str(path))
            check_same_types(first, _column_types(schema, self.columns), str(self.files[0]),
                             str(path))

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
        import pyarrow.parquet as pq

        offset = 0
        for path in self.files:
            # pre_buffer=False: pyarrow would otherwise read ahead without bound (the whole
            # file, measured: peak memory grew with the file)
            with pq.ParquetFile(path, pre_buffer=False) as handle:
                for batch in handle.iter_batches(batch_size=batch_rows, columns=self.columns):
                    yield as_float_rows(_batch_values(batch, self.columns), str(path), offset)
                    offset += batch.num_rows

    def to_dask(self):
        """The rows as a Dask array, one block per row group.

        Returns
        -------
        dask.array.Array of shape (n_rows, n_columns)
        """
        import dask
        import dask.array as da

        read = dask.delayed(_read_piece, pure=True)
        pieces = [da.from_delayed(read(str(f), g, self.columns), shape=(n, len(self.columns)),
                                  dtype=np.float64) for f, g, n in self.row_groups if n]
        return da.concatenate(pieces, axis=0)
