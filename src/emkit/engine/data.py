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

__all__ = ["Block", "InMemory", "as_source"]


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


def _row_bounds(block: Block, chunk_size: int):
    """Yield (start, stop, lengths) for chunks of about ``chunk_size`` rows."""
    n = block.n_samples
    if block.lengths is None:
        for start in range(0, n, chunk_size):
            yield start, min(start + chunk_size, n), None
        return
    ends = np.cumsum(block.lengths)
    start, first = 0, 0
    while first < len(block.lengths):
        # take whole sequences until the chunk holds at least chunk_size rows
        last = int(np.searchsorted(ends, start + chunk_size, side="left"))
        last = min(max(last, first), len(block.lengths) - 1)
        stop = int(ends[last])
        yield start, stop, block.lengths[first:last + 1]
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
        for start, stop, lengths in _row_bounds(self.block, chunk_size):
            yield self.block.rows(start, stop, lengths)

    def head(self, n_rows: int | None = None) -> Block:
        """Return the data for initialisation: all of it when it is in memory."""
        return self.block


def as_source(data):
    """Wrap a Block or array as an :class:`InMemory` source; pass sources through."""
    if isinstance(data, Block):
        return InMemory(data)
    if isinstance(data, np.ndarray):
        return InMemory(Block(data))
    if hasattr(data, "blocks") and hasattr(data, "head"):
        return data
    raise TypeError(
        f"data must be a numpy array, an emkit Block or a data source; got {type(data).__name__}"
    )
