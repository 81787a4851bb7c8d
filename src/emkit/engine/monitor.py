"""The anatomy of a fit: evidence, bound and KL gap at both half-steps of every iteration.

For iteration t (theta_t -> theta_{t+1}) the monitor records

* ``evidence``  log p(X | theta_t) (plus log p(theta_t) when the model has a prior),
* ``bound_e``   L(q_t, theta_t) after the E-step: equal to the evidence (the gap is closed),
* ``bound_m``   L(q_t, theta_{t+1}) after the M-step: at least ``bound_e``,
* ``kl_gap``    KL(q_t || p(Z | X, theta_{t+1})) = evidence(theta_{t+1}) - bound_m >= 0,
* ``change``    evidence(theta_{t+1}) - evidence(theta_t) >= 0,
* ``seconds``   wall time of the iteration,
* ``kind``      what the row is: an EM step (``"em"``), a SQUAREM extrapolation
  (``"extrapolation"``), a step of incremental EM (``"incremental"``, whose "evidence" is the
  free energy of its partial posteriors) or of online EM (``"online"``, on a minibatch).

Every check applies to an EM step and an incremental step. An extrapolation is no M-step, so
only the evidence's rise is checked; an online step's M-step must still raise the bound of its
running statistics, but the minibatches differ, so nothing else is comparable.

It checks the guarantees live (``AnatomyWarning``, ``NonMonotoneWarning``) and decides
convergence with a stopping rule (:mod:`emkit.engine.stopping`); a decrease is never converged.
The objective is the evidence, or the log-posterior when the model has a prior (see
:mod:`emkit.engine.objective`).
"""
from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np

from ..exceptions import AnatomyWarning, NonMonotoneWarning, warn

__all__ = ["History", "IterationRecord", "Monitor", "decreased"]

#: Relative size of a discrepancy still attributed to floating-point rounding.
ROUNDING = 1e-9
#: Relative mismatch between bound and evidence after an E-step that triggers a warning.
BOUND_MISMATCH = 1e-7
#: Which checks apply to each kind of row, and which kinds the stopping rule judges.
_M_STEP_CHECKED = frozenset({"em", "incremental", "online"})
_RISE_CHECKED = frozenset({"em", "incremental", "extrapolation"})
JUDGED = frozenset({"em", "incremental"})
#: The kinds of row (see the module docstring).
KINDS = ("em", "extrapolation", "incremental", "online")


@dataclass(frozen=True)
class IterationRecord:
    """One row of the anatomy table (see the module docstring for the columns)."""

    iteration: int
    evidence: float
    bound_e: float
    bound_m: float
    kl_gap: float
    change: float
    seconds: float
    kind: str = "em"


class History(tuple):
    """The anatomy table: a tuple of :class:`IterationRecord`, one per iteration.

    ``history.column("evidence")`` gives a column as an array of shape (n_iter,);
    ``str(history)`` is the printed table.
    """

    #: Column names, in table order.
    columns = tuple(f.name for f in fields(IterationRecord))
    #: What the "evidence" column holds.
    objective_name = "evidence"

    def column(self, name: str) -> np.ndarray:
        """Return one column as an array of shape (n_iter,): float, str for ``"kind"``."""
        if name not in self.columns:
            raise KeyError(f"unknown column {name!r}; columns are {self.columns}")
        return np.array([getattr(row, name) for row in self],
                        dtype=str if name == "kind" else float)

    def as_dict(self) -> dict:
        """Return ``{column: array of shape (n_iter,)}``."""
        return {name: self.column(name) for name in self.columns}

    def to_dataframe(self):
        """Return the table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame([astuple(row) for row in self], columns=self.columns)

    def to_table(self) -> str:
        """Return the table as aligned text, one row per iteration."""
        header = ("iter", "evidence", "bound after E", "bound after M", "KL gap", "change",
                  "seconds")
        lines = ["{:>5} {:>16} {:>16} {:>16} {:>11} {:>11} {:>8}".format(*header)]
        for r in self:
            mark = "" if r.kind == "em" else f"  {r.kind}"
            lines.append(
                f"{r.iteration:>5d} {r.evidence:>16.6f} {r.bound_e:>16.6f} {r.bound_m:>16.6f} "
                f"{r.kl_gap:>11.3e} {r.change:>11.3e} {r.seconds:>8.4f}{mark}"
            )
        return "\n".join(lines)

    def __str__(self):
        return self.to_table()


def _scale(*values, n_samples):
    return max(max(abs(v) for v in values), n_samples, 1.0)


def decreased(row: IterationRecord, n_samples: float) -> bool:
    """Whether the objective fell in this iteration by more than rounding can explain (an
    online step's objective is on another minibatch: it never counts as a fall)."""
    if row.kind not in _RISE_CHECKED:
        return False
    next_evidence = row.evidence + row.change
    return row.change < -ROUNDING * _scale(row.evidence, next_evidence, n_samples=n_samples)


class Monitor:
    """Records every iteration's anatomy, checks it, and decides convergence.

    Parameters
    ----------
    n_samples : float
        Total sample weight of the data (the number of rows without weights).
    stopping : StoppingRule
        Decides convergence (see :mod:`emkit.engine.stopping`); asked only after steps that
        did not lower the objective: a decrease is never converged.
    objective_name : str, default="evidence"
        What the "evidence" column holds ("evidence", "log-posterior").
    regularisation : str, optional
        What regularises the model's M-step (``model.regularisation()``); warnings name it,
        since such an M-step is not the bound's exact maximum.
    """

    def __init__(self, n_samples: float, stopping, objective_name: str = "evidence",
                 regularisation: str | None = None):
        self.n_samples = float(n_samples)
        self.stopping = stopping
        self.objective_name = objective_name
        self.cause = (
            "the model's m_step does not maximise it" if regularisation is None else
            f"the M-step is regularised ({regularisation}), which moves it off the bound's "
            "maximum: that regularisation is large for this data, so scale the data or lower it"
        )

    def record(self, iteration, step) -> IterationRecord:
        """Build the row of one EM step (:class:`~emkit.engine.em.Step`) and check it."""
        evidence, next_evidence = step.previous.objective, step.evaluation.objective
        row = IterationRecord(
            iteration=iteration, evidence=evidence, bound_e=step.bound_e, bound_m=step.bound_m,
            kl_gap=next_evidence - step.bound_m, change=next_evidence - evidence,
            seconds=step.seconds, kind=step.kind,
        )
        self._check(row)
        return row

    def converged(self, step, row, problem, history=()) -> bool:
        """True when the step did not lower the objective and the stopping rule holds.

        Only EM steps and incremental steps are judged (an extrapolation or an online step
        is never converged); ``history`` holds the rows recorded so far, ``row`` last.
        """
        return (row.kind in JUDGED and not decreased(row, self.n_samples)
                and self.stopping.satisfied(step, row, problem, history))

    def _check(self, row):
        n = self.n_samples
        if abs(row.bound_e - row.evidence) > BOUND_MISMATCH * _scale(row.evidence, n_samples=n):
            warn(
                f"iteration {row.iteration}: the bound after the E-step ({row.bound_e!r}) does "
                f"not equal the {self.objective_name} ({row.evidence!r}); the model's e_step "
                "entropy or expected_log_joint is inconsistent",
                AnatomyWarning)
        lowered = row.bound_m < row.bound_e - ROUNDING * _scale(row.bound_e, n_samples=n)
        if row.kind in _M_STEP_CHECKED and lowered:
            warn(
                f"iteration {row.iteration}: the M-step lowered the bound from "
                f"{row.bound_e!r} to {row.bound_m!r}; {self.cause}",
                NonMonotoneWarning)
        if decreased(row, n):
            warn(
                f"iteration {row.iteration}: the {self.objective_name} decreased from "
                f"{row.evidence!r} to {row.evidence + row.change!r} (by {-row.change:.3e}); "
                f"exact EM never decreases it: {self.cause}, or the E-step is wrong, or the "
                "problem is numerically degenerate",
                NonMonotoneWarning)
