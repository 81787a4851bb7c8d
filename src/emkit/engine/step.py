"""One EM step, the primitive every driver is built on.

An :class:`EMProblem` is a model with its data on a backend and its fixed parameters. From an
:class:`Evaluation` (the E-step at theta_t and the objective there), :func:`em_step` does the
M-step, the bound after it, and the E-step at theta_{t+1}, and returns a :class:`Step` with
all of it: what the anatomy records and what a driver decides on. The plain loop, and any
other driver (SQUAREM, online EM, checkpointing), runs steps and evaluations of a problem; no
model has a loop of its own.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .checking import block_check, checked
from .contracts import EStep
from .fixed import overlay_fixed
from .geometry import Geometry
from .tree import Tree

__all__ = ["EMProblem", "Evaluation", "Step", "em_step"]


@dataclass(frozen=True)
class Evaluation:
    """Parameters, the E-step at them, and the objective there.

    Attributes
    ----------
    params : Tree
    estep : EStep
        Summed statistics, evidence and entropy of q = p(Z | X, params).
    objective : float
        The objective at ``params`` (evidence, or log-posterior with a prior).
    """

    params: Tree
    estep: EStep
    objective: float


@dataclass(frozen=True)
class Step:
    """One EM step theta_t -> theta_{t+1}.

    Attributes
    ----------
    previous : Evaluation
        At theta_t (its E-step gave q_t).
    params : Tree
        theta_{t+1}, the M-step's result.
    bound_e : float
        ``L(q_t, theta_t)``: equals ``previous.objective`` for an exact E-step.
    bound_m : float
        ``L(q_t, theta_{t+1})``: at least ``bound_e`` for an exact M-step.
    evaluation : Evaluation
        At theta_{t+1}.
    seconds : float
        Wall time of the step.
    kind : str, default="em"
        What the step is, for the anatomy and its checks (see
        :mod:`emkit.engine.monitor`): ``"em"``, ``"extrapolation"`` (SQUAREM's jump, no
        M-step), ``"incremental"`` or ``"online"``.
    """

    previous: Evaluation
    params: Tree
    bound_e: float
    bound_m: float
    evaluation: Evaluation
    seconds: float
    kind: str = "em"


class EMProblem:
    """A model, its data on a backend, and the parameters held fixed.

    Parameters
    ----------
    model : LatentModel
    source : Source
        The data, placed where ``backend`` runs (``backend.prepare(data)``).
    backend : Backend
    objective : Objective
    fixed : frozenset of str
        Dotted parameter paths held at their values.
    check_blocks : bool, default=False
        Check every block (its weights, then ``model.validate``) during the first pass over
        the data (for data not all checked before the fit: a file, a Dask collection).
    tracker : ProgressTracker, optional
        Told about every pass over the data.

    Attributes
    ----------
    n_samples : float
        Total sample weight of the data.
    """

    def __init__(self, model, source, backend, objective, fixed=frozenset(), *,
                 check_blocks=False, tracker=None):
        self.model, self.source, self.backend = model, source, backend
        self.objective, self.fixed = objective, frozenset(fixed)
        self.tracker = tracker
        self.n_samples = float(source.total_weight)
        self._unchecked = bool(check_blocks)

    def _e_step(self):
        if not self._unchecked:
            return self.model.e_step
        self._unchecked = False  # the first pass checks every block; later ones need not
        return checked(block_check(self.model), self.model.e_step)

    def evaluate(self, params: Tree) -> Evaluation:
        """The E-step at ``params`` over all the data, and the objective there.

        Raises
        ------
        FloatingPointError
            If the objective is not finite (rows with zero density, degenerate parameters).
        """
        if self.tracker is not None:
            self.tracker.start_pass()
        estep = self.backend.map_reduce(self._e_step(), params, self.source,
                                        progress=self.tracker)
        evaluation = Evaluation(params, estep, self.objective.value(self.model, params, estep))
        if not np.isfinite(evaluation.objective):
            raise FloatingPointError(
                f"the objective became {evaluation.objective} during the fit: some rows have "
                "zero density under every component, or the parameters are degenerate. Check "
                "that the data lie in the support of the model's families, scale the data, "
                "regularise (reg_covar, a prior) or use fewer components."
            )
        return evaluation

    def bound(self, evaluation: Evaluation, params: Tree) -> float:
        """``L(q, params)`` for the q of ``evaluation``'s E-step."""
        return self.objective.bound(self.model, params, evaluation.estep)

    def m_step(self, evaluation: Evaluation) -> Tree:
        """theta maximising the bound of ``evaluation``'s q, fixed parameters kept."""
        params = evaluation.params
        new = self.model.m_step(evaluation.estep.stats, params, fixed=self.fixed)
        return overlay_fixed(new, params, self.fixed)

    def geometry(self, params: Tree) -> Geometry:
        """The flat unconstrained coordinates of the free parameters near ``params``."""
        return Geometry(self.model.constraints(), params, self.fixed)


def em_step(problem: EMProblem, current: Evaluation) -> Step:
    """One EM step from ``current``: the M-step, the bound after it, the next E-step.

    Parameters
    ----------
    problem : EMProblem
    current : Evaluation
        The E-step at theta_t (from ``problem.evaluate`` or the previous step).

    Returns
    -------
    Step
    """
    started = time.perf_counter()
    params = problem.m_step(current)
    bound_m = problem.bound(current, params)
    evaluation = problem.evaluate(params)
    return Step(current, params, problem.bound(current, current.params), bound_m, evaluation,
                time.perf_counter() - started)
