"""Inference after a fit: model selection (:func:`select`) and standard errors."""
from .information import observed_information
from .selection import SelectionTable, select
from .standard_errors import StandardErrors, standard_errors

__all__ = ["SelectionTable", "StandardErrors", "observed_information", "select",
           "standard_errors"]
