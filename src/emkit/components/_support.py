"""Checks that data lie in a family's support, with messages that name the column and family.

A component's ``validate(X)`` runs once on in-memory data before a fit (never per E-step
chunk). Every message names the family and the first offending column (or row), shows the
value found, says what was expected and what to do.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_finite", "check_support", "check_unit_rows"]


def check_finite(X, family):
    """Raise ValueError naming the first column of X that holds NaN or infinity.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    family : str
        Name of the family, for the message.
    """
    bad = ~np.isfinite(X)
    if not bad.any():
        return
    row, column = (int(i) for i in np.argwhere(bad)[0])
    what = "NaN" if np.isnan(X[row, column]) else "infinity"
    raise ValueError(
        f"X column {column} contains {what} (first at row {row}; {int(bad[:, column].sum())} "
        f"entries in that column); the {family} family expects finite values and has no "
        "missing-data support. Remove or impute those rows before fitting."
    )


def check_support(X, family, inside, expected, remedy):
    """Raise ValueError naming the first column of X with a value outside the support.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite data (see :func:`check_finite`).
    family : str
        Name of the family, for the message.
    inside : callable
        ``inside(X)`` returns a boolean array of X's shape, True where a value is allowed.
    expected : str
        The support in words, such as ``"values > 0"``.
    remedy : str
        What the user can do about it.
    """
    check_finite(X, family)
    outside = ~inside(X)
    if not outside.any():
        return
    row, column = (int(i) for i in np.argwhere(outside)[0])
    value, count = float(X[row, column]), int(outside[:, column].sum())
    raise ValueError(
        f"X column {column} has a value outside the support of the {family} family: expected "
        f"{expected}, got {value!r} at row {row} ({count} such values in that column). "
        f"{remedy}"
    )


def check_unit_rows(X, family, atol=1e-6):
    """Raise ValueError naming the first row of X whose Euclidean norm is not 1.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    family : str
    atol : float
        Allowed deviation of a norm from 1.
    """
    check_finite(X, family)
    norms = np.linalg.norm(X, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > atol)
    if bad.size == 0:
        return
    row = int(bad[0])
    raise ValueError(
        f"X row {row} has Euclidean norm {float(norms[row])!r}; the {family} family models "
        f"directions and expects every row to have norm 1 (within {atol:g}; {bad.size} rows "
        "do not). Normalise the rows first: X / np.linalg.norm(X, axis=1, keepdims=True)."
    )
