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
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import astuple, dataclass

import numpy as np

from .monitor import KINDS, IterationRecord
from .tree import Tree

__all__ = ["CheckpointState", "Checkpointer", "read_checkpoint", "write_checkpoint"]

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
    """

    params: Tree
    rows: tuple
    model: str
    n_samples: float


def write_checkpoint(path, state: CheckpointState) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file beside it, then a rename).

    Parameters
    ----------
    path : str or Path
    state : CheckpointState
    """
    path = os.fspath(path)
    meta = {"version": _VERSION, "model": state.model, "n_samples": state.n_samples}
    arrays = {f"params.{name}": np.asarray(leaf) for name, leaf in state.params.paths().items()}
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
                                  for name, value in arrays.items()})
        if meta.get("version") != _VERSION:
            raise ValueError(f"version {meta.get('version')!r}")
        return CheckpointState(params, rows, str(meta["model"]), float(meta["n_samples"]))
    except FileNotFoundError:
        raise ValueError(f"resume={path!r}: the checkpoint does not exist; pass the path "
                         "given as checkpoint= to the fit that wrote it.") from None
    except Exception as error:  # any damage: one clear message
        raise ValueError(f"resume={path!r} is not an emkit checkpoint, or it is damaged "
                         f"({type(error).__name__}: {error}). Fit again without resume.") \
            from None


def check_resumable(state: CheckpointState, model, n_samples, path) -> None:
    """Raise ValueError unless ``state`` was written by a fit of ``model`` on this data."""
    if state.model != repr(model) or state.n_samples != float(n_samples):
        raise ValueError(
            f"resume={os.fspath(path)!r} was written by a fit of {state.model} on data of "
            f"total weight {state.n_samples!r}, not of {model!r} on data of total weight "
            f"{float(n_samples)!r}. Resume with the model and data that wrote it.")


class Checkpointer:
    """A fit callback that writes a checkpoint every ``every`` recorded iterations.

    Parameters
    ----------
    path : str or Path
    every : int
    model : LatentModel
    n_samples : float
    rows : sequence of IterationRecord
        Rows recorded before this run (a resumed fit's).
    """

    def __init__(self, path, every, model, n_samples, rows=()):
        self.path, self.every = path, every
        self.model, self.n_samples = repr(model), float(n_samples)
        self.rows = list(rows)

    def __call__(self, row, params):
        self.rows.append(row)
        if len(self.rows) % self.every == 0:
            write_checkpoint(self.path, CheckpointState(params, tuple(self.rows), self.model,
                                                        self.n_samples))
        return False
