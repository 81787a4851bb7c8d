"""Warnings and errors raised by emkit.

Every error that a user can cause is a ``ValueError`` (or a subclass) whose message names the
argument, says what was expected, shows what was got and says what to do.
"""
from __future__ import annotations

import os
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = [
    "warn",
    "AnatomyWarning",
    "ComponentCollapseError",
    "ComponentCollapseWarning",
    "ConvergenceWarning",
    "DataError",
    "MissingDataWarning",
    "ModelFileError",
    "NonMonotoneWarning",
]

#: Placeholder for the row number in a :class:`DataError` message.
ROW = "{row}"

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type) -> None:
    """``warnings.warn`` attributed to the first caller outside emkit: the user's line."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


class ConvergenceWarning(_SklearnConvergenceWarning):
    """EM stopped at ``max_iter`` before the per-sample change fell below ``tol``.

    Subclasses :class:`sklearn.exceptions.ConvergenceWarning`, so filters written for
    scikit-learn keep working.
    """


class NonMonotoneWarning(UserWarning):
    """The objective (evidence, or log-posterior with a prior) decreased beyond rounding.

    EM guarantees that the objective never decreases, so this points at a bug in a model's
    E-step or M-step (often a user-written one) or at numerical trouble.
    """


class MissingDataWarning(UserWarning):
    """Rows of the data with no observed value (every entry NaN) were dropped from a fit."""


class AnatomyWarning(UserWarning):
    """The bound after an E-step does not equal the evidence.

    After an exact E-step the KL gap is zero, so ``L(q_t, theta_t) == log p(X | theta_t)``.
    A mismatch means the model's ``e_step`` entropy or ``expected_log_joint`` is wrong.
    """


class ComponentCollapseError(ValueError):
    """A mixture component degenerated (singular covariance, no responsibility).

    Parameters
    ----------
    component : int
        Index of the component that collapsed (kept as an attribute).
    cause : str
        What went wrong, in words (kept as an attribute).
    remedy : str
        What to do about it (kept as an attribute).
    """

    def __init__(self, component, cause, remedy):
        self.component = component
        self.cause = cause
        self.remedy = remedy
        super().__init__(f"component {component} collapsed: {cause}. {remedy}")

    def __reduce__(self):  # exceptions cross process boundaries (Dask workers)
        return ComponentCollapseError, (self.component, self.cause, self.remedy)


class ComponentCollapseWarning(UserWarning):
    """A component collapsed and was handled by the ``on_collapse="keep"`` policy."""


class DataError(ValueError):
    """Data a model cannot take, found at a row of a block.

    Raised by emkit's checks of data (support, finiteness, shapes). The message names the row
    within the block that was checked; the engine checks data block by block and re-raises the
    error at the row's place in the whole data (:meth:`at`).

    Parameters
    ----------
    template : str
        The message, with :data:`ROW` (``"{row}"``) where the row number goes.
    row : int
        The row, counted from the first row of the block that was checked.

    Attributes
    ----------
    row : int
    template : str
    """

    def __init__(self, template: str, row: int):
        self.template, self.row = template, int(row)
        super().__init__(template.replace(ROW, str(self.row)))

    def shifted(self, offset: int) -> DataError:
        """The same error with the row counted ``offset`` rows further on."""
        return self.at(self.row + int(offset))

    def at(self, row: int) -> DataError:
        """The same error at ``row``."""
        return DataError(self.template, row)

    def __reduce__(self):  # exceptions cross process boundaries (Dask workers)
        return DataError, (self.template, self.row)


class ModelFileError(ValueError):
    """A model file that emkit cannot read: missing, not a model file, damaged, too large, from
    an unknown format, or holding a parameter outside its set.

    Parameters
    ----------
    path : str or Path
        The file.
    problem : str
        What is wrong with it, in words.
    remedy : str
        What to do.
    parameter : str, optional
        The parameter (dotted path, ``"components.means"``) at fault, if one is.

    Attributes
    ----------
    path : str
    problem : str
    remedy : str
    parameter : str or None
    """

    def __init__(self, path, problem, remedy, parameter=None):
        self.path, self.problem, self.remedy = str(path), problem, remedy
        self.parameter = parameter
        super().__init__(f"model file {self.path!r}: {problem}. {remedy}")

    def __reduce__(self):
        return ModelFileError, (self.path, self.problem, self.remedy, self.parameter)
