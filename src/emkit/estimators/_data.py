"""Where an estimator's data comes from: arrays, Dask collections or files.

The one place the facades route their input. An in-memory array is validated and fitted by
the numpy backend as before; a Dask array or DataFrame is fitted by the Dask backend (the
default ``distributed`` client when one exists); a source from :mod:`emkit.sources` (a
Parquet, CSV, Zarr or ``.npy`` file opened with :func:`emkit.sources.open_source`) is
streamed block by block by the numpy backend, or placed on the cluster if it is a DaskSource.

Sequence data (HMMs, ``sequences=True``) keep their sequences whole: in memory ``lengths=None``
is one sequence, as in hmmlearn; outside memory the lengths are required (they say where blocks
may be cut). The passes an estimator makes over its data besides EM (support checks, a
statistic a hyper-parameter is inferred from, predictions) are here too, on the data's backend,
so that their memory does not depend on n_samples.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..engine.data import Block, InMemory, _is_dask_collection
from ..engine.validation import check_lengths, check_X
from ._inputs import check_names, validate_fit_input, validate_predict_input
from ._sample_weight import check_sample_weight, label_array

__all__ = ["EstimatorData", "check_data", "checked", "column_maxima", "fit_data",
           "predict_data", "rows_and_total"]


@dataclass(frozen=True)
class EstimatorData:
    """A source, the backend to run it on, and the names of its columns.

    Attributes
    ----------
    source : data source
    backend : Backend
    feature_names : ndarray of str or None
    """

    source: object
    backend: object
    feature_names: object = None

    @property
    def n_samples(self) -> int:
        return self.source.n_samples

    @property
    def n_features(self) -> int:
        return self.source.n_features

    @property
    def in_memory(self) -> bool:
        """Whether all rows are held in one in-memory Block (``source.block``)."""
        return isinstance(self.source, InMemory)


def _is_source(X) -> bool:
    return hasattr(X, "blocks") and hasattr(X, "head") and hasattr(X, "n_samples")


def _check_sequences_outside_memory(X, lengths):
    """Outside memory an HMM's blocks are cut at sequence ends: the lengths must be known."""
    remedy = ("lengths=[n_samples] makes all rows one sequence, which is then held in memory "
              "as one block")
    if _is_dask_collection(X) and lengths is None:
        raise ValueError(f"lengths are required for sequences held in a Dask "
                         f"{type(X).__name__}: blocks hold whole sequences. Pass lengths "
                         f"(rows per sequence, in order); {remedy}.")
    if not _is_dask_collection(X) and getattr(X, "lengths", None) is None:
        raise ValueError(f"{X!r} has no sequence lengths; blocks must hold whole sequences. "
                         "Open the file with emkit.sources.open_source(path, columns, "
                         f"lengths=...) ({remedy}).")


def _outside_memory(X, sample_weight, lengths, backend, *, sequences=False, persist=True):
    from ..backends.dask_backend import DaskBackend
    from ..sources import DaskSource

    if not _is_dask_collection(X) and (sample_weight is not None or lengths is not None):
        raise ValueError("sample_weight and lengths cannot be given with a data source; pass "
                         "lengths= to emkit.sources.open_source, or fit a Dask collection "
                         "with its sample_weight.")
    if sequences:
        _check_sequences_outside_memory(X, lengths)
    if _is_dask_collection(X):
        if sample_weight is not None and not _is_dask_collection(sample_weight):
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
        X = DaskSource.from_collection(X, sample_weight=sample_weight, lengths=lengths)
    names = getattr(X, "feature_names", None)
    names = None if names is None else np.asarray(names, dtype=object)
    if isinstance(X, DaskSource):
        backend = DaskBackend(persist=persist)
    return EstimatorData(X, backend, names)


def fit_data(X, backend, *, sample_weight=None, labels=None, lengths=None,
             sequences=False) -> EstimatorData:
    """Route ``fit``'s input to a source and a backend.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), Dask collection or emkit source
    backend : NumpyBackend
        The estimator's in-memory backend (its ``n_jobs`` and ``chunk_size``).
    sample_weight : array-like of shape (n_samples,), optional
    labels : array-like of int of shape (n_samples,), optional
        Known components (semi-supervised fits); in-memory data only.
    lengths : array-like of shape (n_sequences,), optional
        Rows per sequence (with X in memory or a Dask collection; a file's go to
        :func:`emkit.sources.open_source`).
    sequences : bool, default=False
        Whether the rows form sequences (HMMs); see the module's docstring.

    Returns
    -------
    EstimatorData
    """
    if _is_source(X) or _is_dask_collection(X):
        if labels is not None:
            raise ValueError("labels (a semi-supervised fit) need X in memory; got "
                             f"{type(X).__name__}. Pass a numpy array, or fit without labels.")
        return _outside_memory(X, sample_weight, lengths, backend, sequences=sequences)
    X, names = validate_fit_input(X)
    if sequences:
        lengths = check_lengths(lengths, X.shape[0])
    block = Block(X, weights=check_sample_weight(sample_weight, X.shape[0]),
                  labels=label_array(labels), lengths=lengths)
    return EstimatorData(InMemory(block), backend, names)


def predict_data(estimator, X, backend, *, lengths=None, sequences=False) -> EstimatorData:
    """Route the input of ``predict``, ``score`` and the like; check it matches ``fit``.

    An estimator never fitted (an HMM whose parameters were set by hand) takes any number of
    features. A Dask collection is read once and not persisted (one pass over it).

    Returns
    -------
    EstimatorData
    """
    fitted = hasattr(estimator, "n_features_in_")
    if not (_is_source(X) or _is_dask_collection(X)):
        X = validate_predict_input(estimator, X) if fitted else check_X(X)
        if sequences:
            lengths = check_lengths(lengths, X.shape[0])
        return EstimatorData(InMemory(Block(X, lengths=lengths)), backend)
    data = _outside_memory(X, None, lengths, backend, sequences=sequences, persist=False)
    if not fitted:
        return data
    check_names(estimator, data.feature_names)
    if data.n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {data.n_features} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input. Pass data with the columns used "
            "in fit."
        )
    return data


# -- passes over the blocks, where the data live ----------------------------------------------
def _checked_call(check, fn, params, block):
    try:
        check(block)
    except ValueError as error:
        raise ValueError(f"{error} [X is checked block by block as it is read: the row above "
                         f"counts from the first row of a block of {block.n_samples} rows "
                         "(whole sequences).]") from None
    return fn(params, block)


def checked(data, check, fn):
    """``fn(params, block)`` for the blocks of ``data``, with ``check(block)`` run first.

    In memory, ``check`` runs once now on all of X (its messages then give X's row numbers)
    and ``fn`` is returned unchanged; outside memory it runs on each block before ``fn``, in
    the same pass, and a failure says that its row number counts within the block.
    """
    if data.in_memory:
        check(data.source.block)
        return fn
    return functools.partial(_checked_call, check, fn)


def _block_report(check, params, block):
    """``[[n_rows, message]]``: what ``check(block)`` raised ("" when the block passed)."""
    try:
        check(block)
        message = ""
    except ValueError as error:
        message = str(error)
    return np.array([[block.n_samples, message]], dtype=object)


def check_data(data, check):
    """Run ``check(block)`` on all of X: at once in memory, else in one pass over the blocks.

    Outside memory the first failing block is reported with its place in X (the row numbers
    of ``check``'s message count within the block).
    """
    if data.in_memory:
        check(data.source.block)
        return
    reports = data.backend.map_rows(functools.partial(_block_report, check), None, data.source)
    stops = np.cumsum(reports[:, 0].astype(np.int64))
    for (n_rows, message), stop in zip(reports, stops):
        if message:
            raise ValueError(f"{message} [X is checked block by block: this block holds rows "
                             f"{stop - n_rows} to {stop - 1} of X, and the row above counts "
                             f"from row {stop - n_rows}.]")


def _block_maxima(params, block):
    return block.X.max(axis=0)[None, :]


def column_maxima(data):
    """The largest value of every column, shape (n_features,), from one pass over the blocks.

    Exact: the maximum over blocks of each block's maximum (in memory, one pass over chunks).
    """
    return data.backend.map_rows(_block_maxima, None, data.source).max(axis=0)


def _total_then_rows(fn, params, block):
    """``fn``'s ``(total, rows)`` packed in one array: column 0 holds the total in row 0."""
    total, rows = fn(params, block)
    rows = np.asarray(rows).reshape(block.n_samples, -1)
    packed = np.zeros((block.n_samples, rows.shape[1] + 1))
    packed[0, 0], packed[:, 1:] = total, rows
    return packed


def rows_and_total(data, fn, params):
    """Stack the rows and add up the totals of ``fn(params, block) -> (total, rows)``.

    One pass over the blocks (one compute on Dask): ``rows`` of shape (n_rows, m) with
    ``n_rows`` the block's rows. Memory is that of the stacked rows (the output itself).

    Returns
    -------
    total : float
    rows : ndarray of shape (n_samples, m), float64
    """
    packed = data.backend.map_rows(functools.partial(_total_then_rows, fn), params, data.source)
    return float(packed[:, 0].sum()), np.ascontiguousarray(packed[:, 1:])
