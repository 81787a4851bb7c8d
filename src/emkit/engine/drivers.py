"""Drivers: what runs EM steps, and the bookkeeping every driver shares.

A :class:`Driver` takes a problem (:class:`~emkit.engine.step.EMProblem`), a starting
:class:`~emkit.engine.step.Evaluation` and a :class:`Run`, takes steps with
:func:`~emkit.engine.step.em_step` (or evaluations of parameters of its own choosing) and
returns the last evaluation it reported. The :class:`Run` does the rest: it records each step's
row of the anatomy (checked live by the monitor), decides convergence with the stopping rule,
enforces ``max_iter``, calls the callbacks, prints and updates progress bars. So a new driver
is its loop and nothing else: :class:`PlainEM` below is the whole EM iteration, and SQUAREM,
online EM and checkpointing are drivers of the same kind.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from .monitor import Monitor
from .step import Evaluation, em_step

__all__ = ["Driver", "PlainEM", "Run"]


class Run:
    """The bookkeeping of one EM run: rows, stopping, callbacks, printing and progress.

    Parameters
    ----------
    problem : EMProblem
    monitor : Monitor
    max_iter : int
        Most steps to record.
    callbacks : sequence of callable
        ``callback(row, params)`` after every recorded step; a true return value stops.
    verbose : int
        Print a line every ``verbose_interval`` iterations (and the first) when positive.
    verbose_interval : int
    tracker : ProgressTracker, optional
    rows : sequence of IterationRecord, optional
        Rows recorded before this run started (a fit resumed from a checkpoint): they count
        towards ``max_iter`` and the next row is numbered after them.
    checkpointer : callable, optional
        ``checkpointer(rows, reason, params)`` after every recorded step, once its
        convergence is decided (:class:`~emkit.engine.checkpoint.Checkpointer`).

    Attributes
    ----------
    rows : list of IterationRecord
        The anatomy so far.
    reason : str or None
        Why the run finished: ``"tol"`` (converged), ``"max_iter"``, ``"callback"`` or
        ``"epochs"`` (online EM ran all its passes); None while it goes on.
    last : Evaluation or None
        The evaluation at the end of the last recorded step: what the fit returns.
    """

    def __init__(self, problem, monitor: Monitor, max_iter: int, *, callbacks=(), verbose=0,
                 verbose_interval=10, tracker=None, rows=(), checkpointer=None):
        self.problem, self.monitor, self.max_iter = problem, monitor, max_iter
        self.callbacks, self.tracker = tuple(callbacks), tracker
        self.checkpointer = checkpointer
        self.verbose, self.verbose_interval = verbose, verbose_interval
        self.rows, self.reason, self.last = list(rows), None, None

    @property
    def finished(self) -> bool:
        """Whether the driver must stop taking steps."""
        return self.reason is not None or len(self.rows) >= self.max_iter

    @property
    def converged(self) -> bool:
        return self.reason == "tol"

    def record(self, step):
        """Record one EM step; decide whether the run is finished. Returns its row.

        Every callback sees every recorded step, the last one included.
        """
        row = self.monitor.record(len(self.rows) + 1, step)
        self.rows.append(row)
        self.last = step.evaluation
        self._announce(row)
        if self.tracker is not None:
            self.tracker.iteration(row)
        stop = [bool(callback(row, step.params)) for callback in self.callbacks]
        if self.monitor.converged(step, row, self.problem, tuple(self.rows)):
            self.reason = "tol"
        elif any(stop):
            self.reason = "callback"
        elif len(self.rows) >= self.max_iter:
            self.reason = "max_iter"
        if self.checkpointer is not None:
            self.checkpointer(self.rows, self.reason, step.params)
        return row

    def _announce(self, row):
        if self.verbose and (row.iteration == 1 or row.iteration % self.verbose_interval == 0):
            print(f"  iteration {row.iteration:>4d}  {self.monitor.objective_name} "
                  f"{row.evidence: .6f}  change {row.change: .3e}  ({row.seconds:.3f}s)")


class Driver(ABC):
    """Runs EM steps on a problem until its :class:`Run` is finished."""

    #: Whether a run can be resumed from its parameters and rows alone (a driver that keeps
    #: state between steps cannot: ``fit`` refuses ``checkpoint=`` and ``resume=`` for it).
    resumable = False

    @abstractmethod
    def run(self, problem, current: Evaluation, run: Run) -> None:
        """Take steps from ``current``, recording each with ``run.record(step)``, while
        ``run.finished`` is False. The fit returns the parameters at the end of the last
        recorded step (``run.last``), whose objective the anatomy shows.

        Parameters
        ----------
        problem : EMProblem
            The model, data and backend: :func:`~emkit.engine.step.em_step` takes a step on
            it, ``problem.evaluate(params)`` evaluates parameters of the driver's choosing.
        current : Evaluation
            The starting point: its parameters, E-step statistics and objective.
        run : Run
            Records the steps (``run.record(step)``), says when to stop (``run.finished``)
            and keeps the result (``run.last``; a driver whose last recorded step does not
            end where it stops sets ``run.last`` itself).
        """


class PlainEM(Driver):
    """The EM iteration itself: one :func:`~emkit.engine.step.em_step` after another."""

    resumable = True

    def __repr__(self):
        return "PlainEM()"

    def run(self, problem, current, run):
        while not run.finished:
            step = em_step(problem, current)
            run.record(step)
            current = step.evaluation
