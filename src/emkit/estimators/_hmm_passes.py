"""What the HMM estimators run on each block of whole sequences, and one pass of it over X.

The per-block functions live at module level so that Dask can ship them to its workers; the
pass runs on the data's backend (numpy chunks, a streamed file or a Dask cluster), so its
memory is that of its output, never that of X.
"""
from __future__ import annotations

import functools

from ._data import checked, rows_and_total

__all__ = ["best_paths", "check_rows", "log_likelihood", "over_blocks", "posteriors"]


def check_rows(check_support, model, block):
    """The estimator's support check and the model's own (emission support, lengths)."""
    check_support(block.X, model.emission)
    model.validate(block)


def log_likelihood(model, params, block):
    """``sum_s log p(x_s)`` over the block's sequences."""
    return model.forward_backward(params, block).log_likelihood


def posteriors(model, params, block):
    """The block's log-likelihood, and its state posteriors of shape (n_rows, K)."""
    posterior = model.forward_backward(params, block)
    return posterior.log_likelihood, posterior.state_posteriors


def best_paths(model, params, block):
    """The block's Viterbi log-probability, and its best states of shape (n_rows,)."""
    decoding = model.decode(params, block)
    return decoding.log_probability, decoding.states


def over_blocks(data, model, params, fn, check_support, *, reduce=False):
    """``fn(model, params, block)`` over the blocks of ``data`` in one pass, rows checked.

    Parameters
    ----------
    data : EstimatorData
    model : emkit.models.HMM
    params : Tree
    fn : callable
        One of this module's per-block functions.
    check_support : callable
        The estimator's ``_check_support(X, emission)``.
    reduce : bool, default=False
        Sum the results (one compute on Dask); otherwise ``fn`` returns ``(total, rows)``
        and the pass returns the summed totals and the stacked rows.
    """
    check = functools.partial(check_rows, check_support, model)
    fn = checked(data, check, functools.partial(fn, model))
    if reduce:
        return data.backend.map_reduce(fn, params, data.source)
    return rows_and_total(data, fn, params)
