"""Data as blocks: what the E-step sees, and the sources that serve it.

A :class:`Block` is a slice of rows: an open mapping of row-aligned arrays (the observations
``X``, and as a model needs them sample ``weights``, known ``labels``, a missing-value mask,
covariates...), the ``lengths`` of the sequences the rows form, and the ``offset`` of its first
row in the whole data. A :class:`Source` splits the data into blocks; a backend maps the E-step
over them and sums the statistics. Blocks never split a sequence, and every source and backend
ships a block whole, so a new field needs no change to them.
"""
from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np

__all__ = ["Block", "InMemory", "Source", "as_source", "register_source_adapter", "row_bounds"]

#: Functions ``data -> Source or None`` registered by the packages that provide sources.
_ADAPTERS = []


class Block(Mapping):
    """Rows of data for one E-step call: X and any arrays aligned with its rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The observations.
    weights : ndarray of shape (n_samples,), optional
        Non-negative sample weights; absent means every row weighs 1.
    labels : ndarray of shape (n_samples,), optional
        Known latent assignment per row (semi-supervised fits), -1 where unknown.
    lengths : ndarray of shape (n_sequences,), optional
        Lengths of the independent sequences the rows form (HMMs); None means every row is
        independent.
    offset : int or ndarray of int, default=0
        Where the rows are in the whole data (for messages): the row number of the first row
        of consecutive rows, or one row number per row (a sample of the data).
    **fields : ndarray with n_samples rows
        More row-aligned arrays, by name (``covariates=Z``); a model reads them with
        ``block["covariates"]``.

    Notes
    -----
    A Block is a read-only mapping from field names (``"X"``, ``"weights"``, ...) to arrays;
    a field given as None is absent. ``block.weights`` and ``block.labels`` are None when
    absent; any field is ``block.get(name)``.
    """

    __slots__ = ("_fields", "lengths", "offset")

    def __init__(self, X, *, weights=None, labels=None, lengths=None, offset=0, **fields):
        given = {"X": X, "weights": weights, "labels": labels, **fields}
        present = {name: value for name, value in given.items() if value is not None}
        n_samples = np.shape(X)[0] if np.ndim(X) else None
        for name, value in present.items():
            if np.ndim(value) == 0 or np.shape(value)[0] != n_samples:
                raise ValueError(f"{name} must have one entry per row of X "
                                 f"({n_samples}); got shape {np.shape(value)}.")
        object.__setattr__(self, "_fields", present)
        object.__setattr__(self, "lengths", lengths)
        object.__setattr__(self, "offset", offset if np.ndim(offset) else int(offset))

    # -- mapping of the row-aligned fields -------------------------------------------------
    def __getitem__(self, name):
        return self._fields[name]

    def __iter__(self):
        return iter(self._fields)

    def __len__(self):
        return len(self._fields)

    def __setattr__(self, name, value):
        raise AttributeError("Block is immutable; use .replace(...) to get a changed copy")

    def __repr__(self):
        fields = ", ".join(f"{name}{np.shape(value)}" for name, value in self._fields.items())
        extra = "" if self.lengths is None else f", {len(self.lengths)} sequences"
        return f"Block({fields}{extra}, offset={self.offset})"

    def __reduce__(self):  # blocks travel to Dask workers
        return _rebuild_block, (self._fields, self.lengths, self.offset)

    @property
    def X(self) -> np.ndarray:
        return self._fields["X"]

    @property
    def weights(self):
        return self._fields.get("weights")

    @property
    def labels(self):
        return self._fields.get("labels")

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def total_weight(self) -> float:
        return float(self.n_samples if self.weights is None else np.sum(self.weights))

    @property
    def consecutive(self) -> bool:
        """Whether the rows are consecutive rows of the data (not a sample of them)."""
        return np.ndim(self.offset) == 0

    def row_number(self, row: int) -> int:
        """The row number in the whole data of one of this block's rows.

        Parameters
        ----------
        row : int
            A row of this block.

        Returns
        -------
        int
        """
        return self.offset + row if self.consecutive else int(self.offset[row])

    def sample_weights(self) -> np.ndarray:
        """The sample weights as an array, ones when none were given.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        if self.weights is None:
            return np.ones(self.n_samples)
        return self.weights

    # -- new blocks from this one --------------------------------------------------------------
    def replace(self, **changes) -> Block:
        """A copy with some fields (or ``lengths``, ``offset``) replaced.

        Parameters
        ----------
        **changes : array-like or None
            New fields by name; None removes a field.

        Returns
        -------
        Block
        """
        fields = {**self._fields, **changes}
        lengths = fields.pop("lengths", self.lengths)
        offset = fields.pop("offset", self.offset)
        return Block(lengths=lengths, offset=offset, **fields)

    def _row_numbers(self) -> np.ndarray:
        if self.consecutive:
            return np.arange(self.offset, self.offset + self.n_samples)
        return np.asarray(self.offset)

    def rows(self, start: int, stop: int, lengths=None) -> Block:
        """Rows ``start:stop`` with every field cut alike.

        Parameters
        ----------
        start, stop : int
            The rows.
        lengths : array-like of int, optional
            The lengths of the sequences the rows form.

        Returns
        -------
        Block
        """
        fields = {name: value[start:stop] for name, value in self._fields.items()}
        offset = self.offset + start if self.consecutive else self.offset[start:stop]
        return Block(lengths=lengths, offset=offset, **fields)

    def take(self, indices) -> Block:
        """The rows at ``indices`` (independent rows only), keeping their row numbers.

        Parameters
        ----------
        indices : array-like of int
            Rows of this block.

        Returns
        -------
        Block
        """
        if self.lengths is not None:
            raise ValueError("take() would split sequences; use head() for sequence data")
        fields = {name: value[indices] for name, value in self._fields.items()}
        return Block(offset=self._row_numbers()[indices], **fields)

    @classmethod
    def concatenate(cls, blocks, lengths=None) -> Block:
        """Stack blocks with the same fields row-wise, keeping their row numbers.

        Parameters
        ----------
        blocks : iterable of Block
            With the same fields.
        lengths : array-like of int, optional
            The lengths of the sequences the stacked rows form.

        Returns
        -------
        Block
        """
        blocks = list(blocks)
        names = list(blocks[0])
        if any(list(block) != names for block in blocks):
            raise ValueError(f"cannot stack blocks with different fields: "
                             f"{sorted({tuple(block) for block in blocks})}")
        fields = {name: np.concatenate([block[name] for block in blocks]) for name in names}
        offset = np.concatenate([block._row_numbers() for block in blocks])
        return cls(lengths=lengths, offset=offset, **fields)


def _rebuild_block(fields, lengths, offset):
    return Block(lengths=lengths, offset=offset, **fields)


def row_bounds(n_samples: int, lengths, chunk_size: int):
    """Yield (start, stop, lengths) for chunks of about ``chunk_size`` rows.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    lengths : ndarray of shape (n_sequences,) or None
        Sequence lengths summing to ``n_samples``; chunks then hold whole sequences (a
        sequence longer than ``chunk_size`` is a chunk of its own). None: rows are independent.
    chunk_size : int
        Target rows per chunk.
    """
    if lengths is None:
        for start in range(0, n_samples, chunk_size):
            yield start, min(start + chunk_size, n_samples), None
        return
    ends = np.cumsum(lengths)
    start, first = 0, 0
    while first < len(lengths):
        # take whole sequences until the chunk holds at least chunk_size rows
        last = int(np.searchsorted(ends, start + chunk_size, side="left"))
        last = min(max(last, first), len(lengths) - 1)
        stop = int(ends[last])
        yield start, stop, lengths[first:last + 1]
        start, first = stop, last + 1


class Source(ABC):
    """Where the rows come from: in memory, a file streamed block by block, a Dask collection.

    A backend asks a source for its blocks on every pass over the data; the engine asks it for
    ``head()``, an in-memory sample to initialise from, and for the sizes below.
    """

    @property
    @abstractmethod
    def n_samples(self) -> int:
        """Number of rows."""

    @property
    @abstractmethod
    def n_features(self) -> int:
        """Number of columns of X."""

    @property
    @abstractmethod
    def total_weight(self) -> float:
        """Sum of the sample weights (``n_samples`` without weights)."""

    @abstractmethod
    def blocks(self, chunk_size: int):
        """Yield the data as Blocks of about ``chunk_size`` rows (whole sequences), in order,
        each with its ``offset``."""

    @abstractmethod
    def head(self, n_rows: int | None = None) -> Block:
        """An in-memory Block to initialise from: all rows when they fit, else a sample."""

    @property
    def lengths(self):
        """Sequence lengths of all rows, shape (n_sequences,), or None."""
        return None

    @property
    def feature_names(self):
        """Names of X's columns (a list of str), or None when they are only numbered."""
        return None

    @property
    def complete_head(self) -> bool:
        """Whether :meth:`head` holds every row (then checking it checks all the data)."""
        return False


class InMemory(Source):
    """A data source held in memory, served in chunks of rows.

    Parameters
    ----------
    block : Block
        All the data.
    """

    def __init__(self, block: Block):
        self.block = block

    def __repr__(self):
        return f"InMemory({self.block!r})"

    @property
    def n_samples(self) -> int:
        return self.block.n_samples

    @property
    def n_features(self) -> int:
        return self.block.X.shape[1]

    @property
    def total_weight(self) -> float:
        return self.block.total_weight

    @property
    def lengths(self):
        return self.block.lengths

    @property
    def complete_head(self) -> bool:
        return True

    def blocks(self, chunk_size: int):
        for start, stop, lengths in row_bounds(self.n_samples, self.block.lengths, chunk_size):
            yield self.block.rows(start, stop, lengths)

    def head(self, n_rows: int | None = None) -> Block:
        """All the data (it is in memory)."""
        return self.block


def is_dask_collection(data) -> bool:
    """Whether ``data`` is a Dask collection (without importing Dask when it is not loaded)."""
    dask = sys.modules.get("dask")
    return dask is not None and dask.is_dask_collection(data)


def register_source_adapter(adapter) -> None:
    """Let :func:`as_source` accept more kinds of data (the engine knows arrays and Blocks).

    Parameters
    ----------
    adapter : callable
        ``adapter(data) -> Source or None`` (None: not a kind it knows). :mod:`emkit.sources`
        registers the Dask collections this way, so that the engine imports nothing above it.
    """
    _ADAPTERS.append(adapter)


def as_source(data) -> Source:
    """Wrap a Block or array as an :class:`InMemory` source, other data through the
    registered adapters (a Dask collection as a :class:`~emkit.sources.DaskSource`); pass
    sources through."""
    if isinstance(data, Source):
        return data
    for adapter in _ADAPTERS:
        source = adapter(data)
        if source is not None:
            return source
    if isinstance(data, Block):
        return InMemory(data)
    if isinstance(data, (np.ndarray, list, tuple)):
        from .validation import check_X

        return InMemory(Block(check_X(data, name="data", allow_nan=True)))
    raise TypeError(
        "data must be a numpy array, an emkit Block, a Dask array or DataFrame, or a data "
        f"source (emkit.sources); got {type(data).__name__}"
    )
