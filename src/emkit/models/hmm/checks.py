"""Checks of HMM input: sequence lengths, start vectors and transition matrices.

Every message names the argument, says what was expected and what was got, and what to do.
"""
from __future__ import annotations

import numpy as np

from ...engine.validation import check_lengths

__all__ = ["check_chain", "check_lengths", "check_probabilities", "sequence_starts"]

#: Absolute tolerance on "sums to 1" (the same as the simplex constraint's).
SUM_TOLERANCE = 1e-8


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
