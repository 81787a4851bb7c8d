"""Backends: where the E-step runs."""
from .numpy_backend import NumpyBackend

__all__ = ["NumpyBackend"]
