"""Progress of the command's fits: bars on a terminal, plain lines elsewhere.

Bars (rich) are redrawn in place, which only a terminal shows well: written to a pipe or a
log file they are cut to 80 columns. When stderr is not a terminal, or with ``-v``, the
command writes plain lines instead, one per iteration with ``-v``, else at most one every
few seconds.
"""
from __future__ import annotations

import contextlib
import importlib.util
import sys
import time

from ..engine.progress import FitProgress, ProgressTracker

__all__ = ["PlainProgress", "fit_progress", "tracked"]


class PlainProgress(ProgressTracker):
    """One line per iteration (``every=0``) or at most one every ``every`` seconds.

    Parameters
    ----------
    stream : file
        Where the lines go (stderr).
    every : float
        Least seconds between two lines; 0 writes every iteration.
    """

    def __init__(self, stream=None, every=5.0):
        self.stream = stream or sys.stderr
        self.every = every
        self._last = None

    def _line(self, text):
        print(f"emkit: {text}", file=self.stream, flush=True)

    def start_run(self, n_rows, max_iter, label="EM"):
        """A run begins: say how large it is."""
        self._label, self._last = label, None
        self._line(f"{label}: at most {max_iter} iterations over {n_rows} rows")

    def iteration(self, row):
        """An iteration ended: a line, unless one was written less than ``every`` ago."""
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        self._line(f"{self._label} iteration {row.iteration}: evidence {row.evidence:.10g}, "
                   f"bound after M {row.bound_m:.10g}, KL gap {row.kl_gap:.3e}, change "
                   f"{row.change:.3e}")


def fit_progress(quiet=False, verbose=False, no_progress=False, stream=None):
    """The context manager giving the tracker the command's options ask for (or None)."""
    stream = stream or sys.stderr
    if quiet or (no_progress and not verbose):
        return contextlib.nullcontext(None)
    if verbose:
        return contextlib.nullcontext(PlainProgress(stream, every=0.0))
    if stream.isatty() and importlib.util.find_spec("rich") is not None:
        return FitProgress()
    return contextlib.nullcontext(PlainProgress(stream))


@contextlib.contextmanager
def tracked(estimator, tracker):
    """Run the estimator's fits with ``tracker`` as their progress (and no printing).

    The estimator's hyper-parameters are left as they are (a model file does not record
    the command's progress display): the tracker is handed to the engine's fit options
    for the time of the block only.
    """
    if tracker is None:
        yield estimator
        return
    chosen = type(estimator)._engine_options

    def options(data):
        return {**chosen(estimator, data), "progress": tracker, "verbose": 0}

    estimator._engine_options = options
    try:
        yield estimator
    finally:
        estimator.__dict__.pop("_engine_options", None)
