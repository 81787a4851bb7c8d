"""Checkpoints of a running fit, and resuming from one.

A fit given ``checkpoint=path`` writes, every ``checkpoint_every`` iterations, the state the
engine needs to go on: the parameters after the last recorded step and the anatomy so far.
The file is written under a temporary name in the same directory, then renamed over ``path``
(``os.replace``): a fit killed at any moment leaves the previous checkpoint or the new one,
never half of one.

``fit(..., resume=path)`` starts from the checkpoint's parameters with its rows already
recorded. EM's next step depends on the current parameters alone (the E-step at them is
recomputed, deterministically), so a fit killed and resumed returns exactly the parameters and
the anatomy (all but the ``seconds`` column) of a fit that was never interrupted.

What else the run's next steps read is saved with them: the stopping rule's and the
callbacks' own state, for those that keep any (the :class:`Resumable` protocol: hmmlearn's
stopping rule remembers the last gain), and whether the run had converged (a checkpoint is
also written when the run finishes, so resuming a finished fit returns it unchanged).
Drivers that keep state between steps (SQUAREM's cycle and steplength) are not resumable.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import astuple, dataclass, field

import numpy as np

from .monitor import KINDS, IterationRecord
from .tree import Tree

__all__ = ["CheckpointState", "Checkpointer", "Resumable", "check_checkpoint_path",
           "check_resumable", "check_resumed_objective", "read_checkpoint", "restore_states",
           "write_checkpoint"]

_VERSION = 1


@dataclass(frozen=True)
class CheckpointState:
    """What a checkpoint holds.

    Attributes
    ----------
    params : Tree
        The parameters after the last recorded step.
    rows : tuple of IterationRecord
        The anatomy so far.
    model : str
        ``repr`` of the model fitted (checked on resume).
    n_samples : float
        Total sample weight of the data (checked on resume).
    reason : str or None
        ``"tol"`` when the run had converged at the last row (resuming with the same stopping
        rule then takes no step); None otherwise.
    extras : dict of str to ndarray
        The state of the run's :class:`Resumable` parts, ``"<part>.<name>"``.
    stopping : str or None
        ``repr`` of the stopping rule that decided ``reason`` (None in older files): a fit
        resumed with another rule (a smaller ``tol``) goes on stepping.
    """

    params: Tree
    rows: tuple
    model: str
    n_samples: float
    reason: str | None = None
    extras: dict = field(default_factory=dict)
    stopping: str | None = None

    def converged_under(self, stopping) -> bool:
        """Whether the run had converged under the stopping rule ``stopping``.

        Parameters
        ----------
        stopping : StoppingRule
            The resumed fit's rule.

        Returns
        -------
        bool
        """
        return self.reason == "tol" and self.stopping in (None, repr(stopping))


class Resumable:
    """The protocol of a stopping rule or callback that keeps state between steps.

    The engine saves :meth:`checkpoint_state` with every checkpoint and hands it back to
    :meth:`restore_state` of the same part of a resumed fit, before its first step. A part
    without these methods is taken to keep no state.
    """

    def checkpoint_state(self) -> dict:
        """The state, as ``{name: array}`` (numbers only: a checkpoint holds no pickle)."""
        raise NotImplementedError

    def restore_state(self, state: dict) -> None:
        """Take back a state from :meth:`checkpoint_state`."""
        raise NotImplementedError


def _stateful(parts):
    """The parts (``{name: object}``) that keep state (see :class:`Resumable`)."""
    return {name: part for name, part in parts.items()
            if callable(getattr(part, "checkpoint_state", None))}


def restore_states(parts, extras) -> None:
    """Hand each stateful part of ``parts`` (``{name: object}``) its saved state."""
    for name, part in _stateful(parts).items():
        prefix = f"{name}."
        part.restore_state({key[len(prefix):]: value for key, value in extras.items()
                            if key.startswith(prefix)})


def write_checkpoint(path, state: CheckpointState) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file beside it, then a rename).

    Parameters
    ----------
    path : str or Path
    state : CheckpointState
    """
    path = os.fspath(path)
    meta = {"version": _VERSION, "model": state.model, "n_samples": state.n_samples,
            "reason": state.reason, "stopping": state.stopping}
    arrays = {f"params.{name}": np.asarray(leaf) for name, leaf in state.params.paths().items()}
    arrays.update({f"extra.{name}": np.asarray(value) for name, value in state.extras.items()})
    arrays["rows"] = np.array([astuple(row)[:7] for row in state.rows],
                              dtype=float).reshape(-1, 7)
    arrays["kinds"] = np.array([KINDS.index(row.kind) for row in state.rows], dtype=np.int64)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".checkpoint.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            np.savez(stream, **arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def read_checkpoint(path) -> CheckpointState:
    """Read a checkpoint written by :func:`write_checkpoint`.

    Raises
    ------
    ValueError
        If the file is missing or is not an emkit checkpoint.
    """
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        numbers = arrays.pop("rows")
        kinds = arrays.pop("kinds", np.zeros(len(numbers), dtype=np.int64))
        rows = tuple(IterationRecord(int(row[0]), *map(float, row[1:]), kind=KINDS[int(kind)])
                     for row, kind in zip(numbers, kinds))
        params = Tree.from_paths({name[len("params."):]: value
                                  for name, value in arrays.items()
                                  if name.startswith("params.")})
        extras = {name[len("extra."):]: value for name, value in arrays.items()
                  if name.startswith("extra.")}
        if meta.get("version") != _VERSION:
            raise ValueError(f"version {meta.get('version')!r}")
        return CheckpointState(params, rows, str(meta["model"]), float(meta["n_samples"]),
                               meta.get("reason"), extras, meta.get("stopping"))
    except FileNotFoundError:
        raise ValueError(f"resume={path!r}: the checkpoint does not exist; pass the path "
                         "given as checkpoint= to the fit that wrote it.") from None
    except Exception as error:  # any damage: one clear message
        raise ValueError(f"resume={path!r} is not an emkit checkpoint, or it is damaged "
                         f"({type(error).__name__}: {error}). Fit again without resume.") \
            from None


def _one_line(text, limit=200):
    """``text`` on one line (whitespace collapsed), cut to about ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_resumable(state: CheckpointState, model, n_samples, path) -> None:
    """Raise ValueError (one line, naming the file) unless ``state`` was written by a fit of
    ``model`` on data of total weight ``n_samples``."""
    other_model = state.model != repr(model)
    if not other_model and state.n_samples == float(n_samples):
        return
    found = f"a fit of {_one_line(state.model)}" if other_model else "a fit"
    here = f"of {_one_line(repr(model))}" if other_model else "of this model"
    raise ValueError(
        f"resume={os.fspath(path)!r} was written by {found} on data of total weight "
        f"{state.n_samples!r}, not by a fit {here} on data of total weight "
        f"{float(n_samples)!r}. Resume with the model (the estimator's settings) and the data "
        "that wrote it, or fit without resume.")


def check_resumed_objective(state: CheckpointState, objective, path) -> None:
    """Raise ValueError (one line, naming the file) unless ``objective``, evaluated here at the
    checkpoint's parameters, is the one its fit reached there (to rounding): other data of the
    same total weight, or other sequence lengths, give another value."""
    if not state.rows:
        return
    last = state.rows[-1]
    expected = last.evidence + last.change
    if abs(objective - expected) <= _SAME_OBJECTIVE * max(1.0, abs(expected)):
        return
    raise ValueError(
        f"resume={os.fspath(path)!r} was written on other data: its fit reached an objective "
        f"of {expected!r} at the parameters it saved, and they give {objective!r} on this "
        "data. Resume on the data (and lengths, sample weights) that wrote it, or fit without "
        "resume.")


#: Relative difference of the objective at a checkpoint's parameters still put down to
#: rounding when it is resumed (a different chunk size or backend sums in another order).
_SAME_OBJECTIVE = 1e-9


def check_checkpoint_path(path):
    """Raise ValueError now, not at the first checkpoint, if ``path`` cannot be written.

    Returns
    -------
    str
        ``path`` as a string.
    """
    try:
        path = os.fspath(path)
    except TypeError:
        raise ValueError(f"checkpoint must be a path (str or os.PathLike); got "
                         f"{path!r}.") from None
    directory = os.path.dirname(os.path.abspath(path))
    if not path or os.path.isdir(path) or not os.path.isdir(directory) or \
            not os.access(directory, os.W_OK):
        what = "is empty" if not path else "is a folder" if os.path.isdir(path) else \
            f"is in {directory!r}, which is not a writable folder"
        raise ValueError(f"checkpoint={path!r} {what}; pass a file path in an existing "
                         "folder you can write to.")
    if os.path.lexists(path) and not _is_checkpoint(path):
        raise ValueError(f"checkpoint={path!r} exists and is not an emkit checkpoint; a fit "
                         "overwrites only its own checkpoints. Pass a new path, or delete the "
                         "file first.")
    return path


def _is_checkpoint(path) -> bool:
    """Whether ``path`` is a regular file laid out as :func:`write_checkpoint` writes (a zip
    with the members ``meta.npy`` and ``rows.npy``), judged from its directory alone."""
    if not os.path.isfile(path) or os.path.islink(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return {"meta.npy", "rows.npy"} <= set(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


class Checkpointer:
    """Writes a checkpoint every ``every`` recorded iterations, and when the run finishes.

    A :class:`~emkit.engine.drivers.Run` calls it after each recorded step, once the step's
    convergence is decided (so that the stopping rule's state includes the step).

    Parameters
    ----------
    path : str or Path
    every : int
    model : LatentModel
    n_samples : float
    parts : dict of str to object
        The run's stopping rule and callbacks by name; those that are :class:`Resumable`
        have their state saved.
    """

    def __init__(self, path, every, model, n_samples, parts=None):
        self.path, self.every = path, every
        self.model, self.n_samples = repr(model), float(n_samples)
        self.stopping = repr((parts or {}).get("stopping"))
        self.parts = _stateful(parts or {})

    def __call__(self, rows, reason, params):
        """Write the checkpoint of ``rows`` (the anatomy so far), when it is due.

        Parameters
        ----------
        rows : sequence of IterationRecord
        reason : str or None
            Why the run finished at the last row (None: it goes on).
        params : Tree
            The parameters after the last row.
        """
        if len(rows) % self.every != 0 and reason is None:
            return
        extras = {f"{name}.{key}": value for name, part in self.parts.items()
                  for key, value in part.checkpoint_state().items()}
        write_checkpoint(self.path, CheckpointState(
            params, tuple(rows), self.model, self.n_samples,
            "tol" if reason == "tol" else None, extras, self.stopping))
