"""Data as blocks: what the E-step sees.

A :class:`Block` is a slice of rows with the arrays aligned to them (sample weights, labels for
semi-supervised fits, sequence lengths for HMMs). A *source* splits the data into blocks; a
backend maps the E-step over them and sums the statistics. Blocks never split a sequence.

Any object with ``n_samples``, ``total_weight``, ``blocks(chunk_size)`` and ``head(n)`` is a
source, so out-of-core readers and Dask collections plug in beside :class:`InMemory`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["Block", "InMemory", "as_source", "row_bounds"]


@dataclass(frozen=True)
class Block:
    """Rows of data for one E-step call.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The observations.
    weights : ndarray of shape (n_samples,) or None
        Non-negative sample weights; None means every row weighs 1.
    labels : ndarray of shape (n_samples,) or None
        Known latent assignment per row (semi-supervised fits), -1 where unknown.
    lengths : ndarray of shape (n_sequences,) or None
        Lengths of the independent sequences the rows form (HMMs); None means every row is
        independent.
    """

    X: np.ndarray
    weights: np.ndarray | None = None
    labels: np.ndarray | None = None
    lengths: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def total_weight(self) -> float:
        return float(self.n_samples if self.weights is None else np.sum(self.weights))

    def sample_weights(self) -> np.ndarray:
        """Return the weights as an array, ones when none were given. Shape (n_samples,)."""
        if self.weights is None:
            return np.ones(self.n_samples)
        return self.weights

    def rows(self, start: int, stop: int, lengths=None) -> Block:
        """Return rows ``start:stop`` with their aligned arrays (and the given lengths)."""
        def cut(a):
            return None if a is None else a[start:stop]

        return replace(
            self, X=self.X[start:stop], weights=cut(self.weights), labels=cut(self.labels),
            lengths=lengths,
        )

    def take(self, indices) -> Block:
        """Return the rows at ``indices`` (independent rows only). Used for init samples."""
        if self.lengths is not None:
            raise ValueError("take() would split sequences; use head() for sequence data")

        def pick(a):
            return None if a is None else a[indices]

        return replace(self, X=self.X[indices], weights=pick(self.weights),
                       labels=pick(self.labels))


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


@dataclass(frozen=True)
class InMemory:
    """A data source held in memory, served in chunks of rows.

    Parameters
    ----------
    block : Block
        All the data.
    """

    block: Block

    @property
    def n_samples(self) -> int:
        return self.block.n_samples

    @property
    def n_features(self) -> int:
        return self.block.X.shape[1]

    @property
    def total_weight(self) -> float:
        return self.block.total_weight

    def blocks(self, chunk_size: int):
        """Yield Blocks of about ``chunk_size`` rows; sequences are never split."""
        for start, stop, lengths in row_bounds(self.n_samples, self.block.lengths, chunk_size):
            yield self.block.rows(start, stop, lengths)

    def head(self, n_rows: int | None = None) -> Block:
        """Return the data for initialisation: all of it when it is in memory."""
        return self.block


def _is_dask_collection(data) -> bool:
    return type(data).__module__.partition(".")[0] == "dask" and hasattr(data, "dask")


def as_source(data):
    """Wrap a Block or array as an :class:`InMemory` source, a Dask collection as a
    :class:`~emkit.sources.DaskSource`; pass sources through."""
    if _is_dask_collection(data):
        from ..sources.dask_source import DaskSource

        return DaskSource.from_collection(data)
    if isinstance(data, Block):
        return InMemory(data)
    if hasattr(data, "blocks") and hasattr(data, "head"):
        return data
    if isinstance(data, (np.ndarray, list, tuple)):
        from .validation import check_X

        return InMemory(Block(check_X(data, name="data")))
    raise TypeError(
        "data must be a numpy array, an emkit Block, a Dask array or DataFrame, or a data "
        f"source (emkit.sources); got {type(data).__name__}"
    )
