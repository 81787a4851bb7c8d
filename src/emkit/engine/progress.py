"""Progress of long fits: a tracker told about runs, passes over the data and iterations.

The engine tells a :class:`ProgressTracker` when a run and a pass over the data start and
when an iteration ends; the backend tells it as each block finishes (``advance(n_rows)``).
There is no loop here: the tracker follows the one EM loop. :class:`FitProgress` draws two
bars with ``rich`` (the ``progress`` extra) on stderr; library calls show them only when asked
(``verbose`` or ``progress=True``).
"""
from __future__ import annotations

import contextlib
import importlib.util

__all__ = ["FitProgress", "ProgressTracker", "progress_bar"]


class ProgressTracker:
    """What the engine and the backends tell about a fit's progress; every method does nothing.

    Subclass it and override what you need (a tracker given as ``progress=`` to
    :func:`emkit.fit` must be one).
    """

    def start_run(self, n_rows: int, max_iter: int, label: str = "EM") -> None:
        """A run of at most ``max_iter`` iterations over ``n_rows`` rows begins."""

    def start_pass(self) -> None:
        """A pass over the data begins (an E-step over every block)."""

    def advance(self, n_rows: int) -> None:
        """``n_rows`` more rows went through the E-step (called from several threads)."""

    def iteration(self, row) -> None:
        """An iteration ended; ``row`` is its IterationRecord."""


class FitProgress(ProgressTracker):
    """Two live bars: EM iterations, and the rows of the current pass over the data.

    Parameters
    ----------
    console : rich.console.Console, optional
        Where to draw; stderr by default.
    """

    def __init__(self, console=None):
        try:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn)
        except ImportError:
            raise ImportError("progress bars need the rich package: pip install "
                              "'emkit[progress]' (or pass progress=False)") from None
        self._bars = Progress(TextColumn("{task.description}"), BarColumn(),
                              MofNCompleteColumn(), TimeElapsedColumn(),
                              console=console or Console(stderr=True))
        self._iterations = self._rows = None

    def __enter__(self):
        self._bars.start()
        return self

    def __exit__(self, *exc_info):
        self._bars.stop()

    def start_run(self, n_rows: int, max_iter: int, label: str = "EM") -> None:
        """Begin a run of at most ``max_iter`` iterations over ``n_rows`` rows."""
        for task in (self._iterations, self._rows):
            if task is not None:
                self._bars.remove_task(task)
        self._label = label
        self._iterations = self._bars.add_task(f"{label} iterations", total=max_iter)
        self._rows = self._bars.add_task("rows of this pass", total=n_rows)

    def start_pass(self) -> None:
        """A new pass over the data begins (an E-step over every block)."""
        self._bars.reset(self._rows)

    def advance(self, n_rows: int) -> None:
        """``n_rows`` more rows went through the E-step (thread-safe)."""
        self._bars.advance(self._rows, n_rows)

    def iteration(self, row) -> None:
        """An iteration ended; ``row`` is its IterationRecord."""
        self._bars.update(self._iterations, advance=1, description=(
            f"{self._label} iterations (evidence {row.evidence:.6g}, change {row.change:.2e})"))


def _rich_available() -> bool:
    return importlib.util.find_spec("rich") is not None


def progress_bar(progress, verbose):
    """A context manager giving the tracker to use, or None.

    Parameters
    ----------
    progress : bool, ProgressTracker or None
        True: draw bars (rich needed); False: none; None: bars when ``verbose`` and rich is
        installed; a ProgressTracker: use it as it is (already started).
    verbose : int
    """
    if progress is None:
        progress = bool(verbose) and _rich_available()
    if progress is False:
        return contextlib.nullcontext(None)
    if progress is True:
        return FitProgress()
    if not isinstance(progress, ProgressTracker):
        raise TypeError(f"progress must be True, False, None or an "
                        f"emkit.engine.progress.ProgressTracker; got {progress!r}.")
    return contextlib.nullcontext(progress)
