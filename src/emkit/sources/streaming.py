"""A data source that reads its rows from a file again on every pass.

Memory is one block of rows (plus the reader's batch), whatever the size of the file: this is
what lets the numpy backend fit data larger than memory. The blocks are cut at the same rows
as an in-memory source with the same ``chunk_size`` (and never inside a sequence), so a
streaming fit does the same arithmetic as an in-memory one.
"""
from __future__ import annotations

import numpy as np

from ..engine.data import Block, Source, row_bounds
from ..engine.validation import check_lengths, check_positive_int, label_codes
from ..exceptions import DataError
from ._columns import select_columns
from ._sample import HEAD_ROWS, pick_rows, sample_rows

__all__ = ["StreamingSource"]


def _take(pending: list, n_rows: int):
    """Split ``n_rows`` rows off the front of a list of arrays; return them and the rest."""
    taken, rest, count = [], list(pending), 0
    while count < n_rows:
        head = rest.pop(0)
        if count + len(head) > n_rows:
            cut = n_rows - count
            head, tail = head[:cut], head[cut:]
            rest.insert(0, tail)
        taken.append(head)
        count += len(head)
    return (taken[0] if len(taken) == 1 else np.concatenate(taken)), rest


def reblock(batches, bounds, where: str):
    """Cut a stream of row arrays into the blocks ``bounds`` asks for.

    Parameters
    ----------
    batches : iterable of ndarray of shape (n_i, n_features)
        The rows in order, in batches of any size.
    bounds : iterable of (start, stop, lengths)
        As :func:`emkit.engine.data.row_bounds` yields them.
    where : str
        The data's name, for the message if it has fewer rows than announced.

    Yields
    ------
    X : ndarray of shape (stop - start, n_features)
    lengths : ndarray or None
    """
    batches, pending, held = iter(batches), [], 0
    for start, stop, lengths in bounds:
        while held < stop - start:
            batch = next(batches, None)
            if batch is None:
                raise ValueError(f"{where} ended after {start + held} rows but announced more; "
                                 "was it changed during the fit? Fit a file that stays fixed.")
            pending.append(batch)
            held += len(batch)
        X, pending = _take(pending, stop - start)
        held -= stop - start
        yield X, lengths


def _layout(columns, fields, where):
    """``{field: column indices}`` of a reader's columns: ``fields`` and X (the rest)."""
    layout, taken = {}, set()
    for name, wanted in (fields or {}).items():
        if name == "X":
            raise ValueError("fields: 'X' is the observations, not a field; name the field "
                             "otherwise and pass X's columns as columns=.")
        chosen = select_columns(columns, wanted, where)
        if taken & set(chosen):
            raise ValueError(f"fields: columns {sorted(taken & set(chosen))} are given to two "
                             f"fields (the second is {name!r}); give every column to one field.")
        taken |= set(chosen)
        layout[name] = [columns.index(column) for column in chosen]
    layout["X"] = [i for i, column in enumerate(columns) if column not in taken]
    if not layout["X"]:
        raise ValueError(f"fields take every column of {where}; leave some for X.")
    return layout


class StreamingSource(Source):
    """Rows streamed from a file reader in blocks, on every pass over the data.

    Parameters
    ----------
    reader : ParquetReader, CsvReader, ZarrReader or NpyReader
        Anything with ``columns``, ``n_rows``, ``where``, ``batches(n)`` and ``to_dask()``.
    lengths : array-like of shape (n_sequences,), optional
        Lengths of the sequences the rows form (HMMs); blocks never split one.
    head_rows : int, default=100_000
        Rows in the initialisation sample returned by :meth:`head`.
    seed : int, default=0
        Seed of that sample.
    fields : dict of str to list of str, optional
        Block fields read from columns of the file (``{"weights": ["w"]}``, a model's
        covariates); the reader's other columns are X. A field of one column is 1-D;
        ``labels`` are read as integer codes (-1: unknown).

    Notes
    -----
    ``head()`` is a uniform random sample of rows (of whole sequences), drawn without
    replacement in one streaming pass and kept in file order; see :mod:`emkit.sources._sample`.
    """

    def __init__(self, reader, *, lengths=None, head_rows=HEAD_ROWS, seed=0, fields=None):
        self.reader = reader
        self._lengths = None if lengths is None else check_lengths(lengths, reader.n_rows)
        self.head_rows = check_positive_int(head_rows, "head_rows")
        self.seed = seed
        self.layout = _layout(list(reader.columns), fields, reader.where)
        self._head = self._total_weight = None

    def __repr__(self):
        return (f"StreamingSource({type(self.reader).__name__}({self.reader.where!r}), "
                f"n_samples={self.n_samples}, columns={self.columns}, "
                f"fields={[name for name in self.layout if name != 'X']})")

    @property
    def lengths(self):
        """Sequence lengths of all rows, shape (n_sequences,), or None."""
        return self._lengths

    @property
    def columns(self) -> list:
        """The names of X's columns."""
        return [self.reader.columns[i] for i in self.layout["X"]]

    @property
    def feature_names(self):
        """X's column names, or None when the columns are only numbered (``.npy``)."""
        return None if self.reader.feature_names is None else self.columns

    @property
    def n_samples(self) -> int:
        return self.reader.n_rows

    @property
    def n_features(self) -> int:
        return len(self.layout["X"])

    @property
    def total_weight(self) -> float:
        """The sum of the weights column (one pass over the file, the first time)."""
        if "weights" not in self.layout:
            return float(self.n_samples)
        if self._total_weight is None:
            self._total_weight = float(sum(np.sum(block.weights)
                                           for block in self.blocks(1 << 16)))
        return self._total_weight

    def _block(self, values, lengths, offset):
        fields = {name: values[:, index] for name, index in self.layout.items()}
        fields = {name: (value[:, 0] if value.shape[1] == 1 and name != "X" else value)
                  for name, value in fields.items()}
        if "labels" in fields:
            try:
                fields["labels"] = label_codes(fields["labels"])
            except DataError as error:
                raise error.shifted(offset) from None
        return Block(lengths=lengths, offset=offset, **fields)

    def blocks(self, chunk_size: int):
        """Yield Blocks of about ``chunk_size`` rows read from the file; sequences stay whole.

        Parameters
        ----------
        chunk_size : int
            Rows per block (a block holding a sequence may have more).

        Yields
        ------
        Block
        """
        bounds = list(row_bounds(self.n_samples, self.lengths, chunk_size))
        batches = reblock(self.reader.batches(chunk_size), bounds, self.reader.where)
        for (start, _, _), (values, lengths) in zip(bounds, batches):
            yield self._block(values, lengths, start)

    def head(self, n_rows: int | None = None) -> Block:
        """A uniform random sample of rows (whole sequences) for initialisation.

        Parameters
        ----------
        n_rows : int, optional
            Rows wanted; ``head_rows`` by default. All rows when the file has fewer.

        Returns
        -------
        Block
        """
        n_rows = self.head_rows if n_rows is None else check_positive_int(n_rows, "n_rows")
        if self._head is None or self._head[0] != n_rows:
            indices, lengths = sample_rows(self.n_samples, self.lengths, n_rows, self.seed)
            block = pick_rows(self.blocks(max(n_rows, 8192)), indices, lengths)
            self._head = (n_rows, block)
        return self._head[1]

    @property
    def complete_head(self) -> bool:
        return self.head_rows >= self.n_samples

    def to_dask(self, chunk_rows: int | None = None, client=None):
        """The same rows as a :class:`~emkit.sources.DaskSource` (for the Dask backend).

        The workers read the file (its path must be visible to them).

        Parameters
        ----------
        chunk_rows : int, optional
            Rows per Dask block; the file's own pieces (row groups, Zarr chunks) by default.
        client : distributed.Client, optional
            The cluster that will read the file; Dask's local scheduler without one.

        Returns
        -------
        DaskSource
        """
        from .dask_source import DaskSource, dask_values

        collection = self.reader.to_dask()
        if list(self.layout) == ["X"]:  # every column is X: keep a DataFrame's own handling
            return DaskSource.from_collection(collection, lengths=self.lengths,
                                              chunk_rows=chunk_rows, name=self.reader.where,
                                              client=client)
        values = dask_values(collection, self.reader.where, client)
        fields = {name: (values[:, index[0]] if len(index) == 1 else values[:, index])
                  for name, index in self.layout.items() if name != "X"}
        return DaskSource.from_collection(values[:, self.layout["X"]], lengths=self.lengths,
                                          chunk_rows=chunk_rows, name=self.reader.where,
                                          client=client, sample_weight=fields.pop("weights", None),
                                          fields=fields)
