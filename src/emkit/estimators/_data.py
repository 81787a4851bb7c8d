"""Where an estimator's data comes from: arrays, Dask collections or files.

The one place the facades route their input. An in-memory array is validated and fitted by
the numpy backend as before; a Dask array or DataFrame is fitted by the Dask backend (the
default ``distributed`` client when one exists); a source from :mod:`emkit.sources` (a
Parquet, CSV, Zarr or ``.npy`` file opened with :func:`emkit.sources.open_source`) is
streamed block by block by the numpy backend, or placed on the cluster if it is a DaskSource.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.data import Block, InMemory, _is_dask_collection
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


def _is_source(X) -> bool:
    return hasattr(X, "blocks") and hasattr(X, "head") and hasattr(X, "n_samples")


def _outside_memory(X, sample_weight, lengths, backend):
    import numpy as np

    from ..backends.dask_backend import DaskBackend
    from ..sources import DaskSource

    if _is_dask_collection(X):
        if sample_weight is not None and not _is_dask_collection(sample_weight):
            sample_weight = check_sample_weight(sample_weight, X.shape[0])
        X = DaskSource.from_collection(X, sample_weight=sample_weight, lengths=lengths)
    elif sample_weight is not None or lengths is not None:
        raise ValueError("sample_weight and lengths cannot be given with a data source; pass "
                         "lengths= to emkit.sources.open_source, or fit a Dask collection "
                         "with its sample_weight.")
    names = getattr(X, "feature_names", None)
    names = None if names is None else np.asarray(names, dtype=object)
    return EstimatorData(X, DaskBackend() if isinstance(X, DaskSource) else backend, names)


def fit_data(X, backend, *, sample_weight=None, labels=None, lengths=None) -> EstimatorData:
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

    Returns
    -------
    EstimatorData
    """
    if _is_source(X) or _is_dask_collection(X):
        if labels is not None:
            raise ValueError("labels (a semi-supervised fit) need X in memory; got "
                             f"{type(X).__name__}. Pass a numpy array, or fit without labels.")
        return _outside_memory(X, sample_weight, lengths, backend)
    X, names = validate_fit_input(X)
    block = Block(X, weights=check_sample_weight(sample_weight, X.shape[0]),
                  labels=label_array(labels), lengths=lengths)
    return EstimatorData(InMemory(block), backend, names)


def predict_data(estimator, X, backend, *, lengths=None) -> EstimatorData:
    """Route the input of ``predict``, ``score`` and the like; check it matches ``fit``.

    Returns
    -------
    EstimatorData
    """
    if not (_is_source(X) or _is_dask_collection(X)):
        X = validate_predict_input(estimator, X)
        return EstimatorData(InMemory(Block(X, lengths=lengths)), backend)
    data = _outside_memory(X, None, lengths, backend)
    check_names(estimator, data.feature_names)
    if data.n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {data.n_features} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input. Pass data with the columns used "
            "in fit."
        )
    return data
