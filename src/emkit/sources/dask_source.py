"""Data held in a Dask collection (array or DataFrame), in blocks of whole rows.

Every block is checked as it is first computed: numeric, finite, and of the type the
collection's metadata announced (a partition that disagrees is reported by number). With
sequence lengths (HMMs) the row blocks are moved so that no sequence is split.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..engine.data import Block, Source, is_dask_collection, register_source_adapter, row_bounds
from ..engine.validation import check_lengths, check_weights, label_codes
from ..exceptions import DataError
from ._columns import as_float_rows, check_numeric, check_same_types, select_columns
from ._sample import HEAD_ROWS, sample_rows

__all__ = ["DaskSource", "Part", "compute", "dask_values"]


def compute(client, *collections):
    """Compute Dask collections on ``client`` (or on the local scheduler when it is None).

    Arguments that are not Dask collections (None, say) come back unchanged.
    """
    import dask

    if client is None:
        return dask.compute(*collections)
    lazy = [i for i, item in enumerate(collections) if dask.is_dask_collection(item)]
    results = list(collections)
    for i, value in zip(lazy, client.gather(client.compute([collections[i] for i in lazy]))):
        results[i] = value
    return tuple(results)


def _is_frame(data) -> bool:
    return hasattr(data, "columns") and hasattr(data, "map_partitions")


def _checked_chunk(chunk, names, expected, where, block_info=None):
    """A block of a dask array as float64, after checking its type and values."""
    start = block_info[0]["array-location"][0][0] if block_info else 0
    rows = f"rows {start} to {start + len(chunk) - 1} of {where}"
    actual = {name: chunk.dtype for name in names}
    check_same_types({name: expected for name in names}, actual, f"{where}'s metadata", rows)
    check_numeric(actual, rows)
    return as_float_rows(chunk, where, start)


def _checked_partition(part, expected, partition_info=None):
    """A partition of a dask DataFrame as float64 columns, after checking its types."""
    number = partition_info["number"] if partition_info else "?"
    actual = {str(name): dtype for name, dtype in part.dtypes.items()}
    check_same_types(expected, actual, "the dask DataFrame's metadata",
                     f"partition {number} of the dask DataFrame")
    check_numeric(actual, f"partition {number} of the dask DataFrame")
    return part.astype(np.float64)


def _checked_weights(chunk, block_info=None):
    """A block of sample weights as float64, checked (rows counted in the whole data)."""
    start = block_info[0]["array-location"][0][0] if block_info else 0
    values = np.asarray(chunk, dtype=np.float64)
    try:
        check_weights(values)
    except DataError as error:
        raise error.shifted(start) from None
    return values


def _frame_values(frame, columns, where, client):
    """The selected columns of a dask DataFrame as a float64 dask array (known chunks).

    The partitions' lengths are counted by one pass, on ``client`` (the cluster whose workers
    read the data) or on the local scheduler.
    """
    import pandas as pd

    labels = {str(label): label for label in frame.columns}
    names = select_columns(list(labels), columns, where)
    frame = frame[[labels[name] for name in names]]
    expected = {str(label): dtype for label, dtype in frame.dtypes.items()}
    check_numeric(expected, where)
    meta = pd.DataFrame({label: np.empty(0) for label in frame.columns})
    checked = frame.map_partitions(_checked_partition, expected, meta=meta)
    lengths = tuple(int(n) for n in compute(client, checked.map_partitions(len))[0])
    values, _ = _checked_array(checked.to_dask_array(lengths=lengths), None, where)
    return values, names  # the frame's column names, not the array's positions


def dask_values(collection, where, client=None):
    """A dask array or DataFrame as a float64 dask array with known row chunks.

    Parameters
    ----------
    collection : dask.array.Array or dask.dataframe.DataFrame
    where : str
        The data's name, for messages.
    client : distributed.Client, optional
        Counts a DataFrame's partitions (the local scheduler without one).
    """
    if _is_frame(collection):
        return _frame_values(collection, None, where, client)[0]
    return collection


def _checked_array(X, columns, where):
    """Validate a dask array's shape and chunks; return it as checked float64 blocks."""
    if X.ndim != 2:
        raise ValueError(f"{where} must be 2-D of shape (n_samples, n_features); got shape "
                         f"{X.shape}. Reshape it with {where}.reshape(-1, 1) for one feature.")
    if any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError(f"{where} has unknown chunk sizes; emkit needs them to split rows. "
                         f"Call {where} = {where}.compute_chunk_sizes() first.")
    if len(X.chunks[1]) > 1:
        raise ValueError(
            f"{where} is chunked along its columns (column chunks {X.chunks[1]}); emkit splits "
            f"data into blocks of whole rows. Rechunk it with {where} = "
            f"{where}.rechunk({{1: -1}}) (rows may stay chunked)."
        )
    names = select_columns([str(i) for i in range(X.shape[1])], columns, where)
    if columns is not None:
        X = X[:, [int(name) for name in names]]
    check_numeric({name: X.dtype for name in names}, where)
    checked = X.map_blocks(_checked_chunk, names, str(X.dtype), where, dtype=np.float64,
                           meta=np.empty((0, 0)))
    return checked, names


def _sequence_chunks(X, lengths, chunk_rows):
    """Rechunk rows so that blocks hold whole sequences (and about ``chunk_rows`` rows)."""
    if lengths is None:
        return X if chunk_rows is None else X.rechunk({0: chunk_rows})
    if chunk_rows is None and np.isin(np.cumsum(X.chunks[0]), np.cumsum(lengths)).all():
        return X
    target = chunk_rows or max(X.chunks[0])
    sizes = tuple(stop - start for start, stop, _ in row_bounds(X.shape[0], lengths, target))
    return X.rechunk({0: sizes})


def _lengths_per_chunk(lengths, row_chunks):
    if lengths is None:
        return None
    cuts = np.searchsorted(np.cumsum(lengths), np.cumsum(row_chunks), side="right")
    return np.split(lengths, cuts[:-1])


def _aligned(values, X, name):
    """A row-aligned array (numpy or dask) chunked like X's rows."""
    import dask.array as da

    from ..engine.data import is_dask_collection

    values = values if is_dask_collection(values) else np.asarray(values)
    if values.ndim == 0 or values.shape[0] != X.shape[0]:
        raise ValueError(f"{name} must have one entry per row of X ({X.shape[0]}); got shape "
                         f"{values.shape}.")
    return da.asarray(values).rechunk((X.chunks[0],) + tuple((-1,) * (values.ndim - 1)))


def _row_fields(X, sample_weight, fields):
    """``{name: dask array}`` of X and the other row-aligned arrays, chunked alike."""
    out = {"X": X}
    if sample_weight is not None:
        out["weights"] = _aligned(sample_weight, X, "sample_weight").map_blocks(
            _checked_weights, dtype=np.float64)
    for name, values in (fields or {}).items():
        if values is not None:
            out[name] = _aligned(values, X, f"field {name!r}")
    if "labels" in out and out["labels"].dtype.kind not in "iu":
        out["labels"] = out["labels"].map_blocks(_checked_labels, dtype=np.int64)
    return out


def _checked_labels(chunk, block_info=None):
    """A block of labels read as numbers, as int64 codes (rows counted in the whole data)."""
    start = block_info[0]["array-location"][0][0] if block_info else 0
    try:
        return label_codes(chunk)
    except DataError as error:
        raise error.shifted(start) from None


class DaskSource(Source):
    """Rows of a Dask collection in blocks of whole rows (and whole sequences).

    Build it with :meth:`from_collection` (or :meth:`from_block`); a backend places it with
    :meth:`persist`.

    Parameters
    ----------
    fields : dict of str to dask.array.Array
        ``"X"`` (checked float64 blocks of shape (n_samples, n_features), chunked along rows
        only) and any other row-aligned arrays (``"weights"``, ``"labels"``, a model's own
        fields), all chunked like the rows of X.
    chunk_lengths : list of ndarray or None
        The sequence lengths inside each row block.
    columns : list of str
        Column names (positions as strings for arrays).
    feature_names : list of str or None
        Column names of a DataFrame; None for an array.
    client : distributed.Client, optional
        The client whose cluster computes the blocks; the local scheduler without one.

    Attributes
    ----------
    persisted : bool
        Whether the blocks are computed once and held (see :meth:`persist`).
    """

    def __init__(self, fields, *, chunk_lengths=None, columns=None, feature_names=None,
                 client=None):
        self.fields, self.chunk_lengths = dict(fields), chunk_lengths
        self.columns, self._feature_names = columns, feature_names
        self.client = client
        self.persisted = False
        self._head = None
        self._total_weight = None if "weights" in self.fields else float(self.X.shape[0])

    @classmethod
    def from_collection(cls, data, *, sample_weight=None, lengths=None, columns=None,
                        chunk_rows=None, name="X", client=None, fields=None):
        """Wrap a dask array or DataFrame.

        Parameters
        ----------
        data : dask.array.Array of shape (n_samples, n_features) or dask.dataframe.DataFrame
        sample_weight : array-like or dask array of shape (n_samples,), optional
        lengths : array-like of shape (n_sequences,), optional
            Sequence lengths; blocks are moved so that none is split.
        columns : sequence of str or int, optional
            Columns to use (names for a DataFrame, positions for an array); all by default.
        chunk_rows : int, optional
            Rows per block; the collection's own row chunks by default.
        name : str
            The data's name in messages.
        client : distributed.Client, optional
            The cluster that computes the blocks (and counts a DataFrame's rows); the
            local scheduler without one.
        fields : dict of str to array-like or dask array, optional
            More row-aligned arrays for the model (``labels``, covariates...), each with
            n_samples rows; they reach every block as ``block[name]``.

        Returns
        -------
        DaskSource
        """
        if _is_frame(data):
            X, names = _frame_values(data, columns, "the dask DataFrame", client)
            feature_names = names
        elif hasattr(data, "chunks") and hasattr(data, "map_blocks"):
            X, names = _checked_array(data, columns, name)
            feature_names = None
        else:
            raise TypeError(f"{name} must be a dask array or DataFrame; got "
                            f"{type(data).__name__}.")
        lengths = None if lengths is None else check_lengths(lengths, X.shape[0])
        X = _sequence_chunks(X, lengths, chunk_rows)
        return cls(_row_fields(X, sample_weight, fields),
                   chunk_lengths=_lengths_per_chunk(lengths, X.chunks[0]), columns=names,
                   feature_names=feature_names, client=client)

    @classmethod
    def from_block(cls, block: Block, chunk_rows: int):
        """Wrap an in-memory Block (every field) in blocks of about ``chunk_rows`` rows.

        Parameters
        ----------
        block : Block
            In memory.
        chunk_rows : int
            Rows per Dask block (sequences stay whole).

        Returns
        -------
        DaskSource
        """
        import dask.array as da

        X = da.from_array(block.X, chunks=(chunk_rows, -1))
        others = {name: value for name, value in block.items()
                  if name not in ("X", "weights")}
        return cls.from_collection(X, sample_weight=block.weights, lengths=block.lengths,
                                   chunk_rows=chunk_rows, fields=others)

    def __repr__(self):
        return (f"DaskSource(n_samples={self.n_samples}, n_features={self.n_features}, "
                f"fields={list(self.fields)}, n_blocks={len(self.X.chunks[0])}, "
                f"persisted={self.persisted})")

    @property
    def X(self):
        """The dask array of the observations."""
        return self.fields["X"]

    @property
    def weights(self):
        """The dask array of sample weights, or None."""
        return self.fields.get("weights")

    @property
    def feature_names(self):
        return self._feature_names

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def total_weight(self) -> float:
        if self._total_weight is None:
            self._total_weight = float(compute(self.client, self.weights.sum())[0])
        return self._total_weight

    @property
    def lengths(self):
        """All sequence lengths, shape (n_sequences,), or None."""
        return None if self.chunk_lengths is None else np.concatenate(self.chunk_lengths)

    def parts(self):
        """Each block's fields as Dask Delayed, with its lengths, rows and offset.

        Returns
        -------
        list of Part
        """
        names = list(self.fields)
        delayed = [self.fields[name].to_delayed().ravel() for name in names]
        rows = self.X.chunks[0]
        offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int)
        lengths = self.chunk_lengths or [None] * len(rows)
        return [Part(dict(zip(names, values)), part_lengths, int(n_rows), int(offset))
                for values, part_lengths, n_rows, offset
                in zip(zip(*delayed), lengths, rows, offsets)]

    def _with(self, fields, client) -> DaskSource:
        return DaskSource(fields, chunk_lengths=self.chunk_lengths, columns=self.columns,
                          feature_names=self._feature_names, client=client)

    def on(self, client) -> DaskSource:
        """The same data, computed by another client.

        Parameters
        ----------
        client : distributed.Client or None
            None computes on Dask's local scheduler.

        Returns
        -------
        DaskSource
        """
        return self._with(self.fields, client)

    def persist(self) -> DaskSource:
        """Compute the blocks once and keep them on the cluster (or in local memory).

        Returns
        -------
        DaskSource
            The same rows, persisted.
        """
        import dask

        names, collections = list(self.fields), list(self.fields.values())
        if self.client is not None:
            held = self.client.persist(collections)
        else:
            held = dask.persist(*collections)
        source = self._with(dict(zip(names, held)), self.client)
        source.persisted = True
        return source

    def blocks(self, chunk_size: int | None = None):
        """Yield the collection's row blocks one at a time, computed (for the numpy backend).

        The blocks are the collection's own chunks; ``chunk_size`` is not used (rechunk the
        collection, or pass ``chunk_rows`` to :meth:`from_collection`, to change them).

        Parameters
        ----------
        chunk_size : int, optional
            Not used (the signature every source shares).

        Yields
        ------
        Block
        """
        for part in self.parts():
            names = list(part.fields)
            values = compute(self.client, *part.fields.values())
            yield Block(lengths=part.lengths, offset=part.offset, **dict(zip(names, values)))

    def head(self, n_rows: int | None = None) -> Block:
        """A uniform random sample of rows (whole sequences) for initialisation, computed.

        Parameters
        ----------
        n_rows : int, optional
            Rows wanted, 100_000 by default; all rows when the data has fewer.

        Returns
        -------
        Block
        """
        n_rows = HEAD_ROWS if n_rows is None else n_rows
        if self._head is None or self._head[0] != n_rows:
            indices, lengths = sample_rows(self.n_samples, self.lengths, n_rows)
            names = list(self.fields)
            values = compute(self.client, *(self.fields[name][indices] for name in names))
            self._head = (n_rows, Block(lengths=lengths, offset=indices,
                                        **dict(zip(names, values))))
        return self._head[1]


class Part(NamedTuple):
    """One block of a DaskSource: its fields as Dask Delayed objects, and where it lies.

    Attributes
    ----------
    fields : dict of str to dask.delayed.Delayed
    lengths : ndarray or None
        Its sequence lengths.
    n_rows : int
    offset : int
        Row number of its first row in the whole data.
    """

    fields: dict
    lengths: object
    n_rows: int
    offset: int


def _adapt(data):
    """A Dask collection as a DaskSource (the engine's adapter for Dask data), else None."""
    return DaskSource.from_collection(data) if is_dask_collection(data) else None


register_source_adapter(_adapt)
