"""hmmlearn's convergence surface on the engine: ``tol`` on the total change, ``monitor_``.

hmmlearn stops when the total log-likelihood rose by less than ``tol`` (a negative ``tol`` never
stops early) and exposes ``monitor_`` with ``history`` (the log-likelihood before every M-step),
``iter`` and ``converged``. The engine's default rule is per sample; :class:`TotalChange` is
hmmlearn's rule in the user's units, and :class:`LogLikelihoodRecorder` recovers the
log-likelihood column when the engine climbs the log-posterior (a model with priors).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ..engine.stopping import StoppingRule

__all__ = ["ConvergenceMonitor", "HmmlearnChange", "LogLikelihoodRecorder", "TotalChange",
           "check_hmm_tol"]


def check_hmm_tol(tol):
    """hmmlearn's ``tol``: any number but NaN (below zero: run all ``n_iter`` iterations)."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or np.isnan(tol):
        raise ValueError(f"tol must be a number (the change of the total log-likelihood below "
                         f"which EM stops; negative: never stop early); got {tol!r}.")
    return float(tol)


class TotalChange(StoppingRule):
    """Stop when the objective changed by less than ``tol`` in total (hmmlearn's units).

    Parameters
    ----------
    tol : float
        Threshold on ``|change|`` of the total objective; a negative value never stops.
    """

    def __init__(self, tol=1e-2):
        self.tol = check_hmm_tol(tol)

    def __repr__(self):
        return f"TotalChange(tol={self.tol:g})"

    def satisfied(self, step, row, problem, history=()):
        return abs(row.change) < self.tol


class HmmlearnChange(StoppingRule):
    """hmmlearn's rule: stop after the step that follows a log-likelihood gain below ``tol``.

    hmmlearn records the log-likelihood of the parameters *before* each M-step and stops when
    the last two records differ by less than ``tol``, one M-step after the gain that was
    small. This rule stops at the same step, so that both libraries return the same
    parameters after the same number of iterations. The gain compared is that of the
    log-likelihood (the objective's change less the change of the log prior), as hmmlearn's.

    Parameters
    ----------
    tol : float
        Threshold on the total log-likelihood gain; negative: never stop early.
    """

    def __init__(self, tol=1e-2):
        self.tol = check_hmm_tol(tol)
        self._gains = {}

    def __repr__(self):
        return f"HmmlearnChange(tol={self.tol:g})"

    def satisfied(self, step, row, problem, history=()):
        model = problem.model
        gain = row.change - (float(model.log_prior(step.params))
                             - float(model.log_prior(step.previous.params)))
        if row.iteration == 1:
            self._gains = {}
        self._gains[row.iteration] = gain
        previous = self._gains.get(row.iteration - 1)
        return previous is not None and previous < self.tol

    def checkpoint_state(self):
        """The gains so far (a checkpoint's share of this rule: the next step reads the last)."""
        iterations = sorted(self._gains)
        return {"iterations": np.array(iterations, dtype=np.int64),
                "gains": np.array([self._gains[i] for i in iterations], dtype=float)}

    def restore_state(self, state):
        """Take back the gains of :meth:`checkpoint_state` (a resumed fit; none from a
        checkpoint written without this rule)."""
        self._gains = {int(i): float(g) for i, g in zip(state.get("iterations", ()),
                                                         state.get("gains", ()))}


@dataclass(frozen=True)
class ConvergenceMonitor:
    """hmmlearn's ``monitor_``, read-only.

    Attributes
    ----------
    history : tuple of float
        The total log-likelihood at the parameters before each M-step, as hmmlearn records it
        (also with priors: the log prior density is not included).
    iter : int
        EM iterations run.
    converged : bool
        As hmmlearn: the change fell below ``tol``, or ``n_iter`` iterations ran. The
        estimator's ``converged_`` is True only in the first case.
    tol, n_iter, verbose
        The estimator's arguments.
    """

    history: tuple
    iter: int
    converged: bool
    tol: float
    n_iter: int
    verbose: bool = False


class LogLikelihoodRecorder:
    """Records ``log p(theta)`` of every start and every step's parameters, per restart.

    The engine's anatomy holds the objective (the log-posterior for a model with a prior);
    subtracting the recorded log prior of the parameters of each row gives hmmlearn's history.
    Use :meth:`start` around the initializer and the recorder itself (or :meth:`callback`) as
    an engine callback; a checkpoint saves the run's log priors (:meth:`checkpoint_state`).
    """

    def __init__(self, model):
        self.model = model
        self.runs = []

    def start(self, init):
        """Wrap a callable initializer so that each start's log prior is recorded."""
        def recorded(block, rng):
            params = init(block, rng)
            self.runs.append([float(self.model.log_prior(params))])
            return params

        return recorded

    def callback(self, row, params):
        """Engine callback: the log prior of the parameters after this step."""
        self.runs[-1].append(float(self.model.log_prior(params)))
        return False

    __call__ = callback

    def checkpoint_state(self):
        """The log priors of the current run's start and steps (a checkpoint's share)."""
        return {"log_priors": np.array(self.runs[-1], dtype=float)}

    def restore_state(self, state):
        """Take back :meth:`checkpoint_state` as the current run (a resumed fit; a checkpoint
        written without this recorder has none, and ``monitor_.history`` then holds the
        objective)."""
        self.runs = [[float(p) for p in state.get("log_priors", ())]]

    def history(self, result):
        """The log-likelihood before each M-step of the run ``result`` came from."""
        evidence = np.asarray(result.history.column("evidence"), dtype=float)
        runs = [np.asarray(p) for p in self.runs if len(p) == len(evidence) + 1]
        for priors in runs:  # the run whose final log prior explains the final objective
            if np.isclose(result.objective - priors[-1], result.log_likelihood, rtol=1e-12,
                          atol=1e-9):
                return tuple((evidence - priors[:-1]).tolist())
        return tuple((evidence - runs[0][:-1]).tolist()) if runs else tuple(evidence.tolist())
