"""Inference after a fit: model selection (:func:`select`) and standard errors."""
from .selection import SelectionTable, select

__all__ = ["SelectionTable", "select"]
