"""Column selection and type checks shared by every source outside memory.

emkit computes in float64. A source's columns must be numeric (boolean, integer or floating
point) and must keep one type in every block: a column stored as ``int64`` in one Parquet file
and as ``string`` in another, or a Dask partition that disagrees with its collection's
metadata, is reported before its numbers are used. CSV has no declared types, so a CSV column
only has to parse as numbers in every chunk.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ..engine.validation import check_finite
from ..exceptions import DataError

__all__ = ["as_float_rows", "check_numeric", "check_same_types", "is_numeric", "select_columns"]

NUMERIC_KINDS = frozenset("biuf")
_MAX_SHOWN = 12


def _shown(names) -> str:
    names = [str(name) for name in names]
    more = f", ... ({len(names)} in all)" if len(names) > _MAX_SHOWN else ""
    return ", ".join(repr(name) for name in names[:_MAX_SHOWN]) + more


def _resolve(column, available: list, where: str):
    if isinstance(column, numbers.Integral) and not isinstance(column, bool):
        if -len(available) <= column < len(available):
            return available[column]
        return None
    if not isinstance(column, str):
        raise ValueError(f"columns must hold column names (str) or positions (int); got "
                         f"{column!r} for {where}.")
    return column if column in available else None


def select_columns(available: Sequence, requested, where: str) -> list:
    """Return the names of the requested columns, in the order requested.

    Parameters
    ----------
    available : sequence of str
        The columns the data has, in storage order.
    requested : sequence of str or int, str, int or None
        Column names or positions; None selects every column.
    where : str
        What holds the columns (a path, "the dask DataFrame"), for messages.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If a requested column is missing or named twice.
    """
    available = [str(name) for name in available]
    if requested is None:
        return available
    if isinstance(requested, (str, numbers.Integral)):
        requested = [requested]
    chosen = [_resolve(column, available, where) for column in requested]
    missing = [column for column, name in zip(requested, chosen) if name is None]
    if missing:
        raise ValueError(
            f"columns {_shown(missing)} not found in {where}; it has the columns "
            f"{_shown(available)}. Pass names (or positions) from that list as columns=."
        )
    repeated = sorted({name for name in chosen if chosen.count(name) > 1})
    if repeated:
        raise ValueError(f"columns {_shown(repeated)} are selected more than once for {where}; "
                         "name each column once.")
    if not chosen:
        raise ValueError(f"columns selects no column of {where}; pass at least one name.")
    return chosen


def is_numeric(dtype) -> bool:
    """True for boolean, integer and floating dtypes (numpy, pandas nullable or Arrow-backed)."""
    try:
        return np.dtype(getattr(dtype, "numpy_dtype", dtype)).kind in NUMERIC_KINDS
    except TypeError:  # a type numpy cannot represent (strings, categories, Arrow types)
        return False


def check_numeric(dtypes: Mapping, where: str) -> None:
    """Raise ValueError naming every column whose dtype is not numeric.

    Parameters
    ----------
    dtypes : mapping of str to dtype
        numpy, pandas or Arrow types; their ``str`` is what the message shows.
    where : str
        What holds the columns, for the message.
    """
    bad = {name: dtype for name, dtype in dtypes.items() if not is_numeric(dtype)}
    if bad:
        listing = ", ".join(f"{name!r} ({dtype})" for name, dtype in bad.items())
        numeric = [name for name in dtypes if name not in bad]
        hint = f"columns={numeric!r}" if numeric else "columns=[...]"
        raise ValueError(
            f"{where}: column(s) {listing} are not numeric; emkit fits numbers (boolean, "
            f"integer or floating point). Leave them out with {hint} or encode them as numbers "
            "first."
        )


def check_same_types(expected: Mapping, actual: Mapping, where_expected: str,
                     where_actual: str) -> None:
    """Raise ValueError if a column's dtype in ``actual`` differs from ``expected``.

    Parameters
    ----------
    expected, actual : mapping of str to numpy dtype
        Column types of the first block (or of the metadata) and of a later block.
    where_expected, where_actual : str
        Where each set of types was read, for the message.
    """
    for name, dtype in actual.items():
        reference = expected.get(name)
        if reference is not None and str(dtype) != str(reference):
            raise ValueError(
                f"column {name!r} has mixed types across blocks: {reference} in "
                f"{where_expected} but {dtype} in {where_actual}. Store it with one type "
                f"everywhere (for example cast it to float64 in every file or partition)."
            )


def as_float_rows(values, where: str, row_offset: int = 0, allow_nan: bool = True):
    """Return a block's values as a C-contiguous float64 array, checked for infinities.

    Parameters
    ----------
    values : array-like of shape (n_rows, n_features)
    where : str
        The data's name, for messages.
    row_offset : int
        Row number of the block's first row in the whole data (messages count from there).
    allow_nan : bool, default=True
        Whether NaN marks missing values; by default the model's ``validate`` decides (a
        family without missing-data support refuses them, naming itself).

    Returns
    -------
    ndarray of shape (n_rows, n_features)
    """
    array = np.ascontiguousarray(values, dtype=np.float64)
    try:
        check_finite(array, name=where, allow_nan=allow_nan)
    except DataError as error:
        raise error.shifted(row_offset) from None
    return array
