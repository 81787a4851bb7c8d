"""When EM stops: rules on the change of the objective and of the parameters.

A rule looks at one EM step and says whether the run has converged. The monitor asks it only
after steps that did not lower the objective (beyond rounding): a decrease is never
"converged", whatever the rule.

* :class:`ObjectiveChange` (the default): the per-sample change of the objective is below
  ``tol``, as in scikit-learn, so ``tol`` does not depend on the number of rows.
* :class:`ParameterChange`: no unconstrained coordinate of the parameters moved by more than
  ``tol`` (relative to its size, absolute below 1). EM can creep for many iterations with a
  tiny change of the objective while the parameters are still far from the optimum (heavily
  overlapping components): this rule waits for the parameters themselves.
* :class:`AitkenChange`: the evidence's limit, extrapolated by Aitken's delta-squared from
  the last three values (Böhning et al. 1994; Lindsay 1995), is within ``tol`` per sample of
  the current value. EM converges linearly, so a small change per step can still leave a
  large gain to come when the rate is near 1; this rule estimates that gain.
* :class:`AllOf`: every rule holds.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from .arguments import RecordsArguments
from .validation import check_tol

__all__ = ["AitkenChange", "AllOf", "ObjectiveChange", "ParameterChange", "StoppingRule", "as_stopping_rule"]


class StoppingRule(RecordsArguments, ABC):
    """Decides, after an EM step that did not lower the objective, whether to stop.

    A rule records the arguments it was built with, so that model files can rebuild it.
    """

    @abstractmethod
    def satisfied(self, step, row, problem, history=()) -> bool:
        """Whether the run has converged after ``step``.

        Parameters
        ----------
        step : emkit.engine.em.Step
            The step (parameters before and after, the evaluations at both).
        row : emkit.engine.monitor.IterationRecord
            Its row of the anatomy (``row.change`` is the change of the objective).
        problem : emkit.engine.em.EMProblem
            The model, its data (``problem.n_samples``) and the fixed parameters.
        history : tuple of IterationRecord
            The rows recorded so far, ``row`` last (for rules that look further back).
        """


class ObjectiveChange(StoppingRule):
    """Stop when the per-sample change of the objective is below ``tol``.

    Parameters
    ----------
    tol : float
        Threshold on ``change / n_samples`` (the total sample weight).
    """

    def __init__(self, tol=1e-3):
        self.tol = check_tol(tol)

    def __repr__(self):
        return f"ObjectiveChange(tol={self.tol:g})"

    def satisfied(self, step, row, problem, history=()):
        # |change|: a fall within rounding counts as no change (a real fall never reaches here)
        return abs(row.change) / problem.n_samples < self.tol


class ParameterChange(StoppingRule):
    """Stop when no unconstrained parameter coordinate moved by more than ``tol``.

    Parameters
    ----------
    tol : float
        Threshold on ``max_j |u'_j - u_j| / max(1, |u_j|)`` over the coordinates u of the
        free parameters (``problem.geometry``, a :class:`~emkit.engine.geometry.Geometry`):
        relative for large
        coordinates, absolute for small ones. Fixed parameters are not compared.
    """

    def __init__(self, tol=1e-6):
        self.tol = check_tol(tol)

    def __repr__(self):
        return f"ParameterChange(tol={self.tol:g})"

    def satisfied(self, step, row, problem, history=()):
        before = step.previous.params
        geometry = problem.geometry(before)
        old, new = geometry.flatten(before), geometry.flatten(step.params)
        if old.size == 0:
            return True
        return float(np.max(np.abs(new - old) / np.maximum(1.0, np.abs(old)))) < self.tol


class AitkenChange(StoppingRule):
    """Stop when the Aitken-extrapolated limit of the objective is within ``tol`` per sample.

    Parameters
    ----------
    tol : float
        Threshold on ``(l_inf - l_{t+1}) / n_samples``, the gain still to come.

    Notes
    -----
    With ``l_{t-1}, l_t, l_{t+1}`` the objective over two consecutive EM steps and
    ``a = (l_{t+1} - l_t) / (l_t - l_{t-1})`` the estimated rate of linear convergence, the
    limit is ``l_inf = l_t + (l_{t+1} - l_t) / (1 - a)``, so the gain to come is
    ``(l_{t+1} - l_t) a / (1 - a)`` (Böhning, Dietz, Schaub, Schlattmann and Lindsay 1994,
    *Ann. Inst. Statist. Math.* 46, 373-388). It needs two consecutive judged steps (EM or
    incremental, not separated by an extrapolation), and is not satisfied while the rate is
    not below 1; a step that changes the objective by no more than rounding is converged.
    """

    def __init__(self, tol=1e-3):
        self.tol = check_tol(tol)

    def __repr__(self):
        return f"AitkenChange(tol={self.tol:g})"

    def satisfied(self, step, row, problem, history=()):
        if row.change <= _ROUNDING * max(1.0, abs(row.evidence)):
            return True  # no gain beyond rounding is left (a real fall never reaches a rule)
        if len(history) < 2 or not _consecutive(history[-2], row):
            return False
        rate = row.change / history[-2].change if history[-2].change > 0 else np.inf
        if not 0.0 <= rate < 1.0:
            return False
        return row.change * rate / (1.0 - rate) / problem.n_samples < self.tol


#: A change of the objective this small relative to it is rounding: the rates are meaningless.
_ROUNDING = 1e-12


def _consecutive(before, row) -> bool:
    """Whether ``row`` is a judged step that continues from the end of ``before``."""
    reached = before.evidence + before.change  # the objective after ``before``, to rounding
    return before.kind == row.kind and row.kind in ("em", "incremental") and \
        abs(reached - row.evidence) <= 1e-12 * max(1.0, abs(row.evidence))


class AllOf(StoppingRule):
    """Stop when every one of ``rules`` is satisfied."""

    def __init__(self, *rules):
        if not rules or not all(isinstance(rule, StoppingRule) for rule in rules):
            raise ValueError(f"AllOf needs one or more StoppingRule objects; got {rules!r}.")
        self.rules = rules

    def __repr__(self):
        return f"AllOf({', '.join(map(repr, self.rules))})"

    def satisfied(self, step, row, problem, history=()):
        return all(rule.satisfied(step, row, problem, history) for rule in self.rules)


def as_stopping_rule(stopping, tol) -> StoppingRule:
    """The rule for ``fit(..., tol=, stopping=)``.

    Parameters
    ----------
    stopping : StoppingRule, sequence of StoppingRule, or None
        None: :class:`ObjectiveChange` with ``tol``. A sequence: all of them must hold.
    tol : float
    """
    if stopping is None:
        return ObjectiveChange(tol)
    if isinstance(stopping, StoppingRule):
        return stopping
    if isinstance(stopping, (list, tuple)):
        return AllOf(*stopping)
    raise ValueError(f"stopping must be None, a StoppingRule (ObjectiveChange, ParameterChange, "
                     f"AitkenChange) or a list of them; got {stopping!r}.")
