"""The initialisation sample of a source that is not held in memory.

``head(n)`` of an out-of-core source returns a uniform random sample of ``n`` rows drawn
without replacement (whole sequences when the data are sequences), with a fixed seed, kept in
the data's order. A sample rather than the first rows, because files are often sorted (by
time, by group) and the first rows would start every component in one corner of the data.
"""
from __future__ import annotations

import numpy as np

from ..engine.data import Block

__all__ = ["HEAD_ROWS", "pick_rows", "sample_rows"]

#: Rows in the initialisation sample when ``head()`` is called without a size.
HEAD_ROWS = 100_000


def _sequence_rows(lengths, chosen):
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.concatenate([np.arange(starts[s], starts[s] + lengths[s]) for s in chosen])


def sample_rows(n_samples: int, lengths, n_rows: int, seed: int = 0):
    """Choose the rows of an initialisation sample.

    Parameters
    ----------
    n_samples : int
        Rows in the data.
    lengths : ndarray of shape (n_sequences,) or None
        Sequence lengths; whole sequences are drawn until about ``n_rows`` rows are chosen
        (at least one sequence).
    n_rows : int
        Rows wanted; all rows when it is at least ``n_samples``.
    seed : int
        Seed of the draw, so that a source's sample is the same on every call.

    Returns
    -------
    indices : ndarray of shape (n_chosen,)
        Sorted row numbers.
    lengths : ndarray of shape (n_chosen_sequences,) or None
        Lengths of the chosen sequences, in order.
    """
    rng = np.random.default_rng(seed)
    if lengths is None:
        if n_rows >= n_samples:
            return np.arange(n_samples), None
        return np.sort(rng.choice(n_samples, size=n_rows, replace=False)), None
    lengths = np.asarray(lengths)
    order = rng.permutation(len(lengths))
    taken = int(np.searchsorted(np.cumsum(lengths[order]), n_rows, side="right"))
    chosen = np.sort(order[:max(taken, 1)])
    return _sequence_rows(lengths, chosen), lengths[chosen]


def pick_rows(blocks, indices, lengths=None) -> Block:
    """Collect the rows at sorted ``indices`` from a stream of Blocks in data order.

    Parameters
    ----------
    blocks : iterable of Block
        The whole data, in order, all with the same fields; only the chosen rows are kept.
    indices : ndarray of shape (n_chosen,)
        Sorted row numbers.
    lengths : ndarray or None
        Lengths of the chosen sequences, set on the returned Block.

    Returns
    -------
    Block
        Every field of the chosen rows.
    """
    parts, offset = [], 0
    for block in blocks:
        stop = offset + block.n_samples
        local = indices[np.searchsorted(indices, offset):np.searchsorted(indices, stop)] - offset
        parts.append(block.replace(lengths=None).take(local))
        offset = stop
    return Block.concatenate(parts, lengths=lengths)
