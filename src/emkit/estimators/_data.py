"""Where an estimator's data comes from: arrays, Dask collections or files.

The one place the estimators route their input. An in-memory array is validated and fitted by
the numpy backend (threads over row chunks); a Dask array or DataFrame by the Dask backend (the
default ``distributed`` client when one exists); a source from :mod:`emkit.sources` (a
Parquet, CSV, Zarr or ``.npy`` file opened with :func:`emkit.sources.open_source`) is
streamed block by block by the numpy backend, or placed on the cluster if it is a DaskSource.
An estimator's ``backend`` hyper-parameter, when set, is used whatever the data.

Sequence data (HMMs, ``sequences=True``) keep their sequences whole: in memory ``lengths=None``
is one sequence, as in hmmlearn; outside memory the lengths are required (they say where blocks
may be cut). Row-aligned inputs besides X (sample weights, known labels, a model's own fields)
travel in every Block.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.data import Block, InMemory, Source, is_dask_collection
from ..engine.validation import check_lengths, check_X, observed_rows_only
from ._inputs import check_names, validate_fit_input, validate_predict_input
from ._sample_weight import check_sample_weight, label_array

__all__ = ["EstimatorData", "fit_data", "predict_data"]


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


def _check_sequences_outside_memory(X, lengths):
    """Outside memory an HMM's blocks are cut at sequence ends: the lengths must be known."""
    remedy = ("lengths=[n_samples] makes all rows one sequence, which is then held in memory "
              "as one block")
    if is_dask_collection(X) and lengths is None:
        raise ValueError(f"lengths are required for sequences held in a Dask "
                         f"{type(X).__name__}: blocks hold whole sequences. Pass lengths "
                         f"(rows per sequence, in order); {remedy}.")
    if isinstance(X, Source) and X.lengths is None:
        raise ValueError(f"{X!r} has no sequence lengths; blocks must hold whole sequences. "
                         "Open the file with emkit.sources.open_source(path, columns, "
                         f"lengths=...) ({remedy}).")


def _backend_for(source, default, chosen, persist=True):
    """The user's backend if given; the Dask backend for Dask data (holding the data on the
    cluster if ``persist``); else ``default``."""
    from ..sources import DaskSource

    if chosen is not None:
        return chosen
    if isinstance(source, DaskSource):
        from ..backends.dask_backend import DaskBackend

        return DaskBackend(persist=persist)
    return default


def _outside_memory(X, sample_weight, lengths, fields, *, sequences=False):
    """A source for a Dask collection or an emkit source, with its column names."""
    from ..sources import DaskSource

    given = {name: value for name, value in fields.items() if value is not None}
    if not is_dask_collection(X) and (sample_weight is not None or lengths is not None
                                     or given):
        raise ValueError("sample_weight, lengths and other row inputs cannot be given with a "
                         "data source; pass them to emkit.sources.open_source (lengths=, "
                         "fields=), or fit a Dask collection with them.")
    if sequences:
        _check_sequences_outside_memory(X, lengths)
    if is_dask_collection(X):
        if sample_weight is not None and not is_dask_collection(sample_weight):
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
        X = DaskSource.from_collection(X, sample_weight=sample_weight, lengths=lengths,
                                       fields=given)
    names = X.feature_names
    return X, None if names is None else np.asarray(names, dtype=object)


def fit_data(X, default, chosen=None, *, sample_weight=None, labels=None, lengths=None,
             sequences=False, **fields) -> EstimatorData:
    """Route ``fit``'s input to a source and a backend.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), Dask collection or emkit Source
    default : Backend
        The estimator's in-memory backend (its ``n_jobs`` and ``chunk_size``).
    chosen : Backend or None
        The estimator's ``backend`` hyper-parameter.
    sample_weight : array-like of shape (n_samples,), optional
    labels : array-like of int of shape (n_samples,), optional
        Known latent assignments (semi-supervised fits), -1 where unknown.
    lengths : array-like of shape (n_sequences,), optional
        Rows per sequence (with X in memory or a Dask collection; a file's go to
        :func:`emkit.sources.open_source`).
    sequences : bool, default=False
        Whether the rows form sequences (HMMs); see the module's docstring.
    **fields : array-like with n_samples rows
        The model's own row-aligned inputs (``block[name]`` in its E-step).

    Returns
    -------
    EstimatorData
    """
    fields = {"labels": None if labels is None else label_array(labels), **fields}
    if isinstance(X, Source) or is_dask_collection(X):
        source, names = _outside_memory(X, sample_weight, lengths, fields, sequences=sequences)
        return EstimatorData(source, _backend_for(source, default, chosen), names)
    X, names = validate_fit_input(X, allow_nan=True)
    if sequences or lengths is not None:
        lengths = check_lengths(lengths, X.shape[0])
    block = Block(X, weights=check_sample_weight(sample_weight, X.shape[0]), lengths=lengths,
                  **_row_arrays(fields))
    return EstimatorData(InMemory(_observed_rows(block)), chosen or default, names)


def _observed_rows(block):
    """The block without its rows that observe no value (all NaN), with a warning.

    Such rows carry no information. A sequence keeps them: their state is still linked to
    its neighbours', and they add nothing to the evidence.
    """
    if block.lengths is not None:
        return block
    keep = observed_rows_only(block.X)
    return block if keep is None else block.take(np.flatnonzero(keep)).replace(offset=0)


def _row_arrays(fields):
    """The row-aligned inputs as arrays (None stays None); the Block checks their rows."""
    return {name: None if value is None else np.asarray(value) for name, value in fields.items()}


def predict_data(estimator, X, default, chosen=None, *, lengths=None, sequences=False,
                 **fields) -> EstimatorData:
    """Route the input of ``predict``, ``score`` and the like; check it matches ``fit``.

    An estimator never fitted (an HMM whose parameters were set by hand) takes any number of
    features. A Dask collection is read once and not persisted (one pass over it).

    Returns
    -------
    EstimatorData
    """
    fitted = "n_features_in_" in estimator.__dict__
    if not (isinstance(X, Source) or is_dask_collection(X)):
        X = validate_predict_input(estimator, X, allow_nan=True) if fitted else \
            check_X(X, allow_nan=True)
        if sequences or lengths is not None:
            lengths = check_lengths(lengths, X.shape[0])
        block = Block(X, lengths=lengths, **_row_arrays(fields))
        return EstimatorData(InMemory(block), chosen or default)
    source, names = _outside_memory(X, None, lengths, fields, sequences=sequences)
    data = EstimatorData(source, _backend_for(source, default, chosen, persist=False), names)
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

