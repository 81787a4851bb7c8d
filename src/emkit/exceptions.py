"""Warnings and errors raised by emkit.

Every error that a user can cause is a ``ValueError`` (or a subclass) whose message names the
argument, says what was expected, shows what was got and says what to do.
"""
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = [
    "AnatomyWarning",
    "ComponentCollapseError",
    "ComponentCollapseWarning",
    "ConvergenceWarning",
    "NonMonotoneWarning",
]


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


class AnatomyWarning(UserWarning):
    """The bound after an E-step does not equal the evidence.

    After an exact E-step the KL gap is zero, so ``L(q_t, theta_t) == log p(X | theta_t)``.
    A mismatch means the model's ``e_step`` entropy or ``expected_log_joint`` is wrong.
    """


class ComponentCollapseError(ValueError):
    """A mixture component degenerated (singular covariance, no responsibility).

    Attributes
    ----------
    component : int
        Index of the component that collapsed.
    cause : str
        What went wrong, in words.
    """

    def __init__(self, component, cause, remedy):
        self.component = component
        self.cause = cause
        super().__init__(f"component {component} collapsed: {cause}. {remedy}")


class ComponentCollapseWarning(UserWarning):
    """A component collapsed and was handled by the ``on_collapse="keep"`` policy."""
