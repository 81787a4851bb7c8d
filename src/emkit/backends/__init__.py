"""Backends: where the E-step runs."""
from .dask_backend import DaskBackend, connect
from .numpy_backend import NumpyBackend

__all__ = ["DaskBackend", "NumpyBackend", "connect"]
