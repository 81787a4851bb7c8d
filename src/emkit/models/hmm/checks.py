"""Checks of HMM input: sequence lengths, start vectors and transition matrices.

Every message names the argument, says what was expected and what was got, and what to do.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_chain", "check_lengths", "check_probabilities", "sequence_starts"]

#: Absolute tolerance on "sums to 1" (the same as the simplex constraint's).
SUM_TOLERANCE = 1e-8


def check_lengths(lengths, n_samples, *, name="lengths"):
    """Validate sequence lengths against the number of rows.

    Parameters
    ----------
    lengths : array-like of shape (n_sequences,) or None
        None means one sequence of all ``n_samples`` rows.
    n_samples : int

    Returns
    -------
    ndarray of shape (n_sequences,), int64
    """
    if lengths is None:
        return np.array([n_samples], dtype=np.int64)
    array = np.asarray(lengths)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of positive integers, one "
                         f"per sequence; got an array of shape {array.shape}.")
    if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)) \
            or not np.all(array == np.round(array)):
        raise ValueError(f"{name} must hold integers (rows per sequence); got "
                         f"{array[:5].tolist()}{'...' if array.size > 5 else ''}.")
    bad = np.flatnonzero(array <= 0)
    if bad.size:
        raise ValueError(
            f"{name} must be positive: every sequence needs at least one row; "
            f"{name}[{bad[0]}] = {array[bad[0]]} ({bad.size} such entries). Remove empty "
            "sequences from lengths."
        )
    total = int(array.sum())
    if total != n_samples:
        raise ValueError(
            f"{name} must sum to the number of rows of X ({n_samples}); got {name} summing to "
            f"{total} over {array.size} sequences. Pass one length per sequence, in the "
            "order the sequences are stacked in X."
        )
    return array.astype(np.int64)


def sequence_starts(lengths):
    """First row of each sequence, shape (n_sequences,)."""
    return np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)


def check_probabilities(value, name, shape, *, rows=False):
    """Validate an array of probability vectors (the last axis sums to 1).

    Parameters
    ----------
    value : array-like
    name : str
        Argument name used in messages (``"startprob"``, ``"transmat"``).
    shape : tuple of int
        The expected shape.
    rows : bool
        Whether ``value`` is a matrix of probability rows (for messages).

    Returns
    -------
    ndarray of the given shape, float64
    """
    array = np.asarray(value, dtype=float)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (one entry per state); got shape "
                         f"{array.shape}. Pass n_components = {shape[0]} probabilities"
                         f"{' per row' if rows else ''}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    negative = np.argwhere(array < 0)
    if negative.size:
        where = tuple(int(i) for i in negative[0])
        index = ", ".join(map(str, where))
        raise ValueError(f"{name} must hold probabilities (>= 0); {name}[{index}] = "
                         f"{array[where]!r}. Use 0 for a forbidden state or transition.")
    sums = array.sum(axis=-1)
    off = np.flatnonzero(np.abs(np.atleast_1d(sums) - 1.0) > SUM_TOLERANCE)
    if off.size:
        what = f"row {off[0]} sums to {np.atleast_1d(sums)[off[0]]!r}" if rows else \
            f"it sums to {float(sums)!r}"
        raise ValueError(f"{name} must sum to 1{' along each row' if rows else ''}; {what}. "
                         f"Normalise it (divide {'each row ' if rows else ''}by its sum).")
    return array


def check_chain(startprob, transmat, n_states, *, names=("startprob", "transmat")):
    """Validate a start vector (n_states,) and a transition matrix (n_states, n_states)."""
    return (check_probabilities(startprob, names[0], (n_states,)),
            check_probabilities(transmat, names[1], (n_states, n_states), rows=True))
