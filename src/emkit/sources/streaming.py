"""A data source that reads its rows from a file again on every pass.

Memory is one block of rows (plus the reader's batch), whatever the size of the file: this is
what lets the numpy backend fit data larger than memory. The blocks are cut at the same rows
as an in-memory source with the same ``chunk_size`` (and never inside a sequence), so a
streaming fit does the same arithmetic as an in-memory one.
"""
from __future__ import annotations

import numpy as np

from ..engine.data import Block, row_bounds
from ..engine.validation import check_lengths, check_positive_int
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


class StreamingSource:
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

    Notes
    -----
    ``head()`` is a uniform random sample of rows (of whole sequences), drawn without
    replacement in one streaming pass and kept in file order; see :mod:`emkit.sources._sample`.
    """

    def __init__(self, reader, *, lengths=None, head_rows=HEAD_ROWS, seed=0):
        self.reader = reader
        self.lengths = None if lengths is None else check_lengths(lengths, reader.n_rows)
        self.head_rows = check_positive_int(head_rows, "head_rows")
        self.seed = seed
        self._head = None

    def __repr__(self):
        return (f"StreamingSource({type(self.reader).__name__}({self.reader.where!r}), "
                f"n_samples={self.n_samples}, columns={self.columns})")

    @property
    def columns(self) -> list:
        return self.reader.columns

    @property
    def feature_names(self):
        """Column names, or None when the columns are only numbered (``.npy``)."""
        return self.reader.feature_names

    @property
    def n_samples(self) -> int:
        return self.reader.n_rows

    @property
    def n_features(self) -> int:
        return len(self.reader.columns)

    @property
    def total_weight(self) -> float:
        return float(self.n_samples)

    def blocks(self, chunk_size: int):
        """Yield Blocks of about ``chunk_size`` rows read from the file; sequences stay whole."""
        bounds = row_bounds(self.n_samples, self.lengths, chunk_size)
        for X, lengths in reblock(self.reader.batches(chunk_size), bounds, self.reader.where):
            yield Block(X, lengths=lengths)

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

    def to_dask(self, chunk_rows: int | None = None, client=None):
        """The same rows as a :class:`~emkit.sources.DaskSource` (for the Dask backend).

        The workers read the file (its path must be visible to them).

        Parameters
        ----------
        chunk_rows : int, optional
            Rows per Dask block; the file's own pieces (row groups, Zarr chunks) by default.
        client : distributed.Client, optional
            The cluster that will read the file; Dask's local scheduler without one.
        """
        from .dask_source import DaskSource

        return DaskSource.from_collection(self.reader.to_dask(), lengths=self.lengths,
                                          chunk_rows=chunk_rows, name=self.reader.where,
                                          client=client)
