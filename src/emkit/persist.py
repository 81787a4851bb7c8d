"""Model files: JSON (what the model is, versions) beside .npz (the arrays). Never pickle.

``save(estimator, "model")`` writes ``model.json`` and ``model.npz``; ``load("model")`` rebuilds
the fitted estimator. Loading cannot run code: the JSON names a class from emkit's own list of
estimators, and the arrays are read with ``allow_pickle=False``.
"""
from __future__ import annotations

import inspect
import json
import platform
from pathlib import Path

import numpy as np

__all__ = ["decode", "encode", "load", "save"]

FORMAT_VERSION = 1


def _paths(prefix):
    prefix = Path(prefix)
    base = prefix.with_suffix("") if prefix.suffix in (".json", ".npz") else prefix
    return base.with_suffix(".json"), base.with_suffix(".npz")


def _estimator_classes():
    """emkit's estimator classes by name: what a model file may name (nothing else)."""
    from . import estimators

    classes = {name: getattr(estimators, name) for name in estimators.__all__}
    return {name: cls for name, cls in classes.items() if isinstance(cls, type)
            and issubclass(cls, estimators.LatentEstimator) and not inspect.isabstract(cls)}


def _buildable_classes():
    """The emkit classes a model file may name in its hyper-parameters (nothing else)."""
    from . import components, models, priors
    from .engine import stopping

    return {f"{module.__name__.rsplit('.', 1)[-1]}.{name}": getattr(module, name)
            for module in (components, models, priors, stopping) for name in module.__all__
            if isinstance(getattr(module, name), type)}


def encode(value):
    """A JSON-able description of a hyper-parameter value.

    Plain values pass through; arrays become ``{"__array__": list, "dtype": str}``; emkit
    components, models and priors become ``{"__emkit__": "components.Poisson", "args":
    [...], "kwargs": {...}}`` from the arguments they were built with. A ``RandomState`` becomes
    None.

    Raises
    ------
    ValueError
        For an object emkit cannot rebuild safely (a user-defined component, say).
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [encode(item) for item in items]
    if isinstance(value, dict):
        return {"__dict__": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, np.random.RandomState):
        return None
    name = next((n for n, cls in _buildable_classes().items() if type(value) is cls), None)
    if name is None:
        raise ValueError(f"cannot save {value!r}: model files hold emkit's own components, "
                         "models and priors only (a file must not be able to run code). Save the fitted "
                         "parameters (estimator.get_fitted_state().params) yourself instead.")
    args, kwargs = value.arguments
    return {"__emkit__": name, "args": [encode(a) for a in args],
            "kwargs": {k: encode(v) for k, v in kwargs.items()}}


def decode(value):
    """Rebuild a value described by :func:`encode`."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return np.asarray(value["__array__"], dtype=value["dtype"])
    if "__dict__" in value:
        return {k: decode(v) for k, v in value["__dict__"].items()}
    classes = _buildable_classes()
    if value.get("__emkit__") not in classes:
        raise ValueError(f"a model file names {value.get('__emkit__')!r}, which is not one of "
                         f"emkit's components, models or priors.")
    return classes[value["__emkit__"]](*decode(value["args"]),
                                       **{k: decode(v) for k, v in value["kwargs"].items()})


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
    Hyper-parameters are written by :func:`encode` (a ``RandomState`` instance is saved as
    None); the rest is the estimator's fitted state
    (``estimator.get_fitted_state()``, an :class:`emkit.estimators.FittedState`).
    """
    state = estimator.get_fitted_state()
    spec, arrays = state_to_files(state)
    import emkit
    import sklearn

    spec.update(
        format=FORMAT_VERSION, estimator=type(estimator).__name__,
        hyper_parameters={k: encode(v) for k, v in estimator.get_params().items()},
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
        If a file is missing, the JSON names no emkit estimator or an unknown format, or a
        parameter is outside its set.
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
    hyper_parameters = {k: decode(v) for k, v in spec["hyper_parameters"].items()}
    estimator = classes[spec["estimator"]](**hyper_parameters)
    return estimator.set_fitted_state(state_from_files(spec, arrays))


def state_to_files(state):
    """Split a FittedState into a JSON-able spec and ``{name: array}`` for the .npz file."""
    arrays = {f"params.{path}": np.asarray(leaf) for path, leaf in state.params.paths().items()}
    spec = {"n_features_in": state.n_features_in, "feature_names_in": state.feature_names_in,
            "result": None}
    fit = state.fit
    if fit is not None:
        arrays.update({f"history.{name}": column
                       for name, column in fit.history.as_dict().items()})
        arrays["history.kind"] = kind_codes(fit.history)
        spec["result"] = {"n_iter": fit.n_iter, "converged": fit.converged,
                          "reason": fit.reason, "objective": fit.objective,
                          "log_likelihood": fit.log_likelihood, "n_samples": fit.n_samples,
                          "objective_name": fit.history.objective_name}
    return spec, arrays


def state_from_files(spec, arrays):
    """Rebuild the FittedState written by :func:`state_to_files`."""
    from .engine.em import FitResult
    from .engine.monitor import History
    from .engine.tree import Tree
    from .estimators import FittedState

    params = Tree.from_paths({k[len("params."):]: v for k, v in arrays.items()
                              if k.startswith("params.")})
    fit = None
    if spec.get("result") is not None:
        history = History(_history_rows(arrays))
        info = dict(spec["result"])
        history.objective_name = info.pop("objective_name")
        fit = FitResult(params=None, history=history, **info)
    return FittedState(params, fit, spec.get("n_features_in"), spec.get("feature_names_in"))


def kind_codes(history) -> np.ndarray:
    """The anatomy's ``kind`` column as integer codes (model files hold numbers only): the
    position of each row's kind in :data:`emkit.engine.monitor.KINDS`. Shape (n_iter,)."""
    from .engine.monitor import KINDS

    return np.array([KINDS.index(row.kind) for row in history], dtype=np.int64)


def kinds_from_codes(codes) -> list:
    """The kinds of rows from :func:`kind_codes`.

    Raises
    ------
    ValueError
        For a code that names no kind.
    """
    from .engine.monitor import KINDS

    codes = np.asarray(codes)
    if codes.size and (codes.min() < 0 or codes.max() >= len(KINDS)):
        raise ValueError(f"history kind codes must be in [0, {len(KINDS)}); got "
                         f"{sorted(set(codes.tolist()))}.")
    return [KINDS[int(code)] for code in codes]


def _history_rows(arrays):
    """The anatomy's rows from their columns (files written before rows had a ``kind`` hold
    EM steps only)."""
    from .engine.monitor import History, IterationRecord

    columns = {name: arrays[f"history.{name}"] for name in History.columns
               if f"history.{name}" in arrays}
    n_rows = len(columns["iteration"])
    kinds = kinds_from_codes(columns.pop("kind", np.zeros(n_rows, dtype=np.int64)))
    numbers = [columns[name] for name in History.columns if name in columns]
    return [IterationRecord(int(row[0]), *map(float, row[1:]), kind=str(kind))
            for row, kind in zip(zip(*numbers), kinds)]
