"""Checking data block by block, wherever the blocks are read, with errors located in the data.

A model's ``validate(block)`` sees one block at a time when the data streams from a file or
lives on a Dask cluster. Its errors must still point at the right row of the whole data: an
emkit check raises a :class:`~emkit.exceptions.DataError`, which is moved by the block's
offset; any other ValueError (a user-written check) is told which rows the block holds.
The wrapped functions are module-level partials, so Dask can ship them to its workers.
"""
from __future__ import annotations

import functools

from ..exceptions import DataError
from .validation import check_weights

__all__ = ["block_check", "checked", "checked_pass", "fit_check", "located"]


def located(error: ValueError, block) -> ValueError:
    """``error`` raised by a check of ``block``, said of the whole data."""
    if isinstance(error, DataError):
        return error.at(block.row_number(error.row))
    if not block.consecutive:
        return ValueError(f"{error} [found in a sample of the data's rows, the one that starts "
                          "the fit; a row number above counts within the sample]")
    if block.offset == 0:
        return error
    first, last = block.offset, block.offset + block.n_samples - 1
    return ValueError(f"{error} [found while checking rows {first} to {last} of the data, "
                      f"block by block as it is read; a row number above counts from row "
                      f"{first}]")


def _check_block(validate, block):
    check_weights(block.weights)
    validate(block)


def block_check(model):
    """The engine's check of one block for ``model``: its sample weights, then
    ``model.validate`` (a partial Dask can ship)."""
    return functools.partial(_check_block, model.validate)


def fit_check(model):
    """The check of the data that starts a fit: its sample weights, then
    ``model.validate_fit``."""
    return functools.partial(_check_block, model.validate_fit)


def _checked_call(check, fn, params, block):
    try:
        check(block)
    except ValueError as error:
        raise located(error, block) from None
    return fn(params, block)


def checked(check, fn):
    """``fn(params, block)`` with ``check(block)`` run first, its errors located."""
    return functools.partial(_checked_call, check, fn)


def checked_pass(source, check, fn):
    """The function to map over ``source``'s blocks so that every row is checked once.

    When ``source.head()`` holds every row (in memory), ``check`` runs on it now, once, and
    ``fn`` is returned as it is; otherwise every block is checked as it is read.
    """
    if source.complete_head:
        check(source.head())
        return fn
    return checked(check, fn)
