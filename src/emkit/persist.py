"""Model files: JSON (what the model is, versions) beside .npz (the arrays). Never pickle.

``save(estimator, "model")`` writes ``model.json`` and ``model.npz``; ``load("model")`` rebuilds
the fitted estimator. Loading cannot run code: the JSON names a class from emkit's own list of
estimators, and the arrays are read with ``allow_pickle=False``.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["load", "save"]

FORMAT_VERSION = 1


def _paths(prefix):
    prefix = Path(prefix)
    base = prefix.with_suffix("") if prefix.suffix in (".json", ".npz") else prefix
    return base.with_suffix(".json"), base.with_suffix(".npz")


def _estimator_classes():
    from . import estimators

    return {name: getattr(estimators, name) for name in estimators.__all__}


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return value
    return None  # e.g. a RandomState instance: not persisted (documented in save)


def save(estimator, prefix):
    """Write a fitted emkit estimator to ``prefix.json`` and ``prefix.npz``.

    Parameters
    ----------
    estimator : fitted emkit estimator
    prefix : str or Path
        File name without extension (``.json``/``.npz`` are added or replaced).

    Returns
    -------
    (Path, Path)
        The JSON and NPZ paths written.

    Notes
    -----
    Hyper-parameters that are not plain values (a ``RandomState`` instance) are saved as None.
    """
    check_is_fitted(estimator, "result_")
    spec, arrays = estimator._fitted_state()
    import emkit
    import sklearn

    spec.update(
        format=FORMAT_VERSION, estimator=type(estimator).__name__,
        hyper_parameters={k: _jsonable(v) for k, v in estimator.get_params().items()},
        versions={"emkit": emkit.__version__, "numpy": np.__version__,
                  "scikit-learn": sklearn.__version__, "python": platform.python_version()},
    )
    json_path, npz_path = _paths(prefix)
    json_path.write_text(json.dumps(spec, indent=2))
    np.savez(npz_path, **arrays)
    return json_path, npz_path


def load(prefix):
    """Read an estimator written by :func:`save`.

    Raises
    ------
    ValueError
        If a file is missing, or the JSON names no emkit estimator or an unknown format.
    """
    json_path, npz_path = _paths(prefix)
    for path in (json_path, npz_path):
        if not path.exists():
            raise ValueError(f"model file {str(path)!r} does not exist; pass the prefix used "
                             "with `emkit fit --output` or emkit.persist.save.")
    spec = json.loads(json_path.read_text())
    if spec.get("format") != FORMAT_VERSION:
        raise ValueError(f"{json_path} has model format {spec.get('format')!r}; this emkit "
                         f"reads format {FORMAT_VERSION}.")
    classes = _estimator_classes()
    if spec.get("estimator") not in classes:
        raise ValueError(f"{json_path} names estimator {spec.get('estimator')!r}, which is not "
                         f"one of emkit's: {sorted(classes)}.")
    with np.load(npz_path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    cls = classes[spec["estimator"]]
    estimator = cls(**spec["hyper_parameters"])
    estimator._restore_state(spec, arrays)
    return estimator


def result_to_state(result):
    """Split a FitResult into a JSON-able spec and ``{name: array}`` for the .npz file."""
    arrays = {f"params.{path}": np.asarray(leaf) for path, leaf in result.params.paths().items()}
    arrays.update({f"history.{name}": column
                   for name, column in result.history.as_dict().items()})
    spec = {"result": {"n_iter": result.n_iter, "converged": result.converged,
                       "reason": result.reason, "objective": result.objective,
                       "log_likelihood": result.log_likelihood,
                       "n_samples": result.n_samples,
                       "objective_name": result.history.objective_name}}
    return spec, arrays


def result_from_state(spec, arrays):
    """Rebuild the FitResult written by :func:`result_to_state`."""
    from .engine.em import FitResult
    from .engine.monitor import History, IterationRecord
    from .engine.tree import Tree

    params = Tree.from_paths({k[len("params."):]: v for k, v in arrays.items()
                              if k.startswith("params.")})
    columns = [arrays[f"history.{name}"] for name in History.columns]
    history = History(IterationRecord(int(row[0]), *map(float, row[1:]))
                      for row in zip(*columns))
    info = dict(spec["result"])
    history.objective_name = info.pop("objective_name")
    return FitResult(params=params, history=history, **info)
