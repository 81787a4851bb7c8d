"""Checks of user input that every model shares: arrays, parameters, counts.

Every message names the argument, what was expected, what was got and what to do.
"""
from __future__ import annotations

import numbers

import numpy as np

from .tree import Tree

__all__ = ["check_X", "check_array", "check_lengths", "check_params", "check_positive_int",
           "check_tol"]


def check_X(X, *, name="X", allow_nan=False, dtype=np.float64, min_samples=1):
    """Validate a 2-D numeric data matrix and return it as a float array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    name : str
        Argument name used in messages.
    allow_nan : bool
        Whether NaN marks missing values (models with missing-data support).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(f"{name} is a sparse matrix; emkit needs dense data. Use {name}.toarray().")
    array = np.asarray(X)
    if array.dtype.kind in "OUSV":
        try:
            array = array.astype(dtype)
        except ValueError:
            raise ValueError(
                f"{name} must be numeric; got an array of dtype {array.dtype} with values "
                f"such as {array.ravel()[:3].tolist()}. Encode text columns as numbers first."
            ) from None
    if array.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {array.dtype}; "
                         f"pass real values (for example {name}.real).")
    if array.ndim != 2:
        hint = (f" Reshape your data with {name}.reshape(-1, 1) for one feature or "
                f"{name}.reshape(1, -1) for one sample." if array.ndim == 1 else "")
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features); got a {array.ndim}-D array "
            f"of shape {array.shape}.{hint}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {array.shape[0]} sample(s) (shape={array.shape}) while a minimum of "
            f"{min_samples} is required. Pass non-empty data."
        )
    if array.shape[1] < 1:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={array.shape}) while a minimum of 1 is required. "
            "Pass data with at least one column."
        )
    array = np.asarray(array, dtype=dtype)
    _check_finite(array, name, allow_nan)
    return array


def _check_finite(array, name, allow_nan, row_offset=0):
    """Raise ValueError at the first non-finite entry; rows are reported plus ``row_offset``."""
    bad = ~np.isfinite(array)
    if allow_nan:
        bad &= ~np.isnan(array)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        what = "NaN" if np.isnan(array[row, col]) else "infinity"
        remedy = ("Remove or impute those rows; this model has no missing-data support."
                  if not allow_nan else "Infinite values are never valid; remove those rows.")
        raise ValueError(
            f"{name} contains {what} (first at row {row_offset + row}, column {col}; "
            f"{int(bad.sum())} entries in all); expected finite values. {remedy}"
        )


def check_positive_int(value, name, *, minimum=1, maximum=None, maximum_name=None):
    """Validate an integer argument in ``[minimum, maximum]`` and return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name}={value} must be <= {maximum_name or maximum} ({maximum}). "
            f"Use at most {maximum} or provide more data."
        )
    return int(value)


def check_tol(tol, name="tol"):
    """Validate a non-negative tolerance and return it as float."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not np.isfinite(tol) \
            or tol < 0:
        raise ValueError(f"{name} must be a non-negative number; got {tol!r}. Use e.g. 1e-3.")
    return float(tol)


def check_params(constraints: dict, params: Tree, *, name="params", prefix="") -> None:
    """Check that every leaf of ``params`` named in ``constraints`` lies in its set.

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint or nested dict}`` as returned by ``model.constraints()``.
    params : Tree
    name : str
        Argument name used in messages.
    """
    for key, constraint in constraints.items():
        path = f"{prefix}{key}"
        if key not in params:
            raise ValueError(f"{name} is missing the parameter {path!r}; it has "
                             f"{sorted(params)}.")
        value = params[key]
        if isinstance(constraint, dict):
            check_params(constraint, value, name=name, prefix=path + ".")
            continue
        problem = constraint.problem(value)
        if problem:
            raise ValueError(
                f"{name}: parameter {path!r} must be {constraint.name}, but {problem}. "
                "Pass valid starting values."
            )


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


def check_array(value, name, shape, constraint=None, *, remedy="Pass valid starting values."):
    """Validate a user-given parameter array: numeric, of ``shape``, inside ``constraint``.

    Parameters
    ----------
    value : array-like
    name : str
        Argument or attribute name used in messages (``"means_init"``, ``"lambdas_"``).
    shape : tuple of int
        The expected shape.
    constraint : Constraint, optional
        The set the values must lie in; without one they need only be finite.
    remedy : str
        What to do, appended to the message.

    Returns
    -------
    ndarray of the given shape, float64
    """
    from .constraints import real

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array of shape {tuple(shape)}; got "
                         f"{value!r}. {remedy}") from None
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {array.shape}. {remedy}")
    constraint = constraint or real
    problem = constraint.problem(array)
    if problem:
        raise ValueError(f"{name} must be {constraint.name}, but {problem}. {remedy}")
    return array
