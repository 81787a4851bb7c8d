"""Backends: where the work on blocks runs (numpy threads in this process, or Dask)."""
from ..engine.em import register_default_backend
from ..sources.dask_source import DaskSource
from .dask_backend import DaskBackend, connect
from .numpy_backend import NumpyBackend

__all__ = ["DaskBackend", "NumpyBackend", "connect"]


def _choose(source):
    """The Dask backend for Dask data, the numpy backend for the rest."""
    return DaskBackend() if isinstance(source, DaskSource) else NumpyBackend()


register_default_backend(_choose)
