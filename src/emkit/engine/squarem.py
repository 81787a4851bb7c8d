"""SQUAREM: squared extrapolation of the EM map (Varadhan and Roland 2008), as a driver.

Each cycle takes two EM steps theta_0 -> theta_1 -> theta_2 and jumps, on the flat
unconstrained parameter vector u (:class:`~emkit.engine.geometry.Geometry`, which keeps fixed
parameters and structural zeros), to

    u' = u_0 + 2 a r + a^2 v,    r = u_1 - u_0,    v = u_2 - 2 u_1 + u_0,

with the steplength a = ||r|| / ||v|| (scheme SqS3, the authors' recommendation), held in
``[step_min, step_max]``; ``step_max`` grows by ``step_factor`` each time a jump reaches it
and shrinks back after a jump that fails (the SQUAREM package's adaptive rule). a = 1 gives
theta_2 itself. The jump is kept only when the objective there is not below theta_2's (the
monotone safeguard; otherwise the cycle ends at theta_2, the plain EM step), and is followed
by one stabilising EM step. A jump that leaves the model's support (a non-finite objective,
a singular covariance) is a failed jump.

Every EM step is recorded and checked by the run as usual; a kept jump is recorded as a row
of kind ``"extrapolation"`` (no M-step, so only its rise in the objective is checked, and the
stopping rule judges only EM steps). The fit's ``n_evaluations`` counts EM steps (EM-map
evaluations); a failed jump costs one E-step more, which no row shows.
"""
from __future__ import annotations

import time

import numpy as np

from ..exceptions import ComponentCollapseError
from .drivers import Driver
from .step import Step, em_step

__all__ = ["SQUAREM"]

#: What a jump outside the model's support raises: it counts as a failed jump.
_FAILED_JUMP = (FloatingPointError, ComponentCollapseError, np.linalg.LinAlgError,
                OverflowError, ZeroDivisionError)


def _check_step(value, name, minimum):
    value = float(value)
    if not np.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum}; got {value!r}.")
    return value


class SQUAREM(Driver):
    """Accelerated EM by squared extrapolation (SqS3), with a monotone safeguard.

    Parameters
    ----------
    step_min : float, default=1.0
        Smallest steplength (1: never a jump shorter than two EM steps).
    step_max : float, default=1.0
        Starting largest steplength; it adapts during the run.
    step_factor : float, default=4.0
        Factor by which ``step_max`` grows when a jump reaches it (and shrinks after a
        failed jump at it).

    Notes
    -----
    R. Varadhan and C. Roland (2008), "Simple and globally convergent methods for
    accelerating the convergence of any EM algorithm", *Scand. J. Statist.* 35, 335-353.
    """

    def __init__(self, step_min=1.0, step_max=1.0, step_factor=4.0):
        self.step_min = _check_step(step_min, "step_min", 1.0)
        self.step_max = _check_step(step_max, "step_max", self.step_min)
        self.step_factor = _check_step(step_factor, "step_factor", 1.0)

    def __repr__(self):
        return (f"SQUAREM(step_min={self.step_min:g}, step_max={self.step_max:g}, "
                f"step_factor={self.step_factor:g})")

    def run(self, problem, current, run):
        step_max = self.step_max
        while not run.finished:
            steps = []
            for _ in range(2):
                steps.append(em_step(problem, current))
                run.record(steps[-1])
                current = steps[-1].evaluation
                if run.finished:
                    return
            current, step_max = self._cycle_end(problem, steps, run, step_max)

    def _cycle_end(self, problem, steps, run, step_max):
        """The jump after two EM steps (with its stabilising step) if it is kept, else the
        second step's end; and the next ``step_max``."""
        started = time.perf_counter()
        second = steps[1].evaluation
        target, alpha = self._target(problem, steps, step_max)
        grown = step_max * self.step_factor if alpha == step_max else step_max
        if target is None:  # a jump to theta_2 itself reaches step_max too
            return second, grown
        tried = self._try(problem, target, second)
        if tried is None:
            shrunk = max(self.step_max, step_max / self.step_factor)
            return second, shrunk if alpha == step_max else step_max
        jump, stabilising = tried
        bound_e = problem.bound(second, second.params)
        run.record(Step(second, target, bound_e, problem.bound(second, target), jump,
                        time.perf_counter() - started, kind="extrapolation"))
        if run.finished:
            return jump, grown
        run.record(stabilising)
        return stabilising.evaluation, grown

    def _target(self, problem, steps, step_max):
        """The extrapolated parameters and the steplength; None when there is no jump to
        make (a = 1, or no movement)."""
        start = steps[0].previous.params
        geometry = problem.geometry(start)
        u0 = geometry.flatten(start)
        u1, u2 = geometry.flatten(steps[0].params), geometry.flatten(steps[1].params)
        r, v = u1 - u0, u2 - 2.0 * u1 + u0
        r_norm, v_norm = np.linalg.norm(r), np.linalg.norm(v)
        if not (v_norm > 0 and np.isfinite(r_norm) and np.isfinite(v_norm)):
            return None, None
        alpha = min(max(r_norm / v_norm, self.step_min), step_max)
        if abs(alpha - 1.0) <= 0.01:  # the jump would land on theta_2 itself
            return None, alpha
        with np.errstate(all="ignore"):
            jumped = u0 + 2.0 * alpha * r + alpha * alpha * v
            target = geometry.unflatten(jumped) if np.all(np.isfinite(jumped)) else None
        return target, alpha

    def _try(self, problem, target, second):
        """``(evaluation at target, stabilising EM step)`` when the jump does not lower the
        objective below ``second``'s and the EM step from it succeeds; None otherwise."""
        try:
            with np.errstate(all="ignore"):
                jump = problem.evaluate(target)
                if not jump.objective >= second.objective:
                    return None
                return jump, em_step(problem, jump)
        except _FAILED_JUMP:
            return None
