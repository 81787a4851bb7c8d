"""``emkit inspect``: what a model file holds, readable by people and by scripts."""
from __future__ import annotations

import numpy as np

__all__ = ["describe", "render"]

#: Hyper-parameters left out of the summary (run settings, not the model).
_RUN_SETTINGS = {"verbose", "verbose_interval", "progress", "n_jobs", "chunk_size", "backend",
                 "warm_start"}


def describe(estimator) -> dict:
    """A JSON-able description: the class, its settings, the fit and every parameter.

    Parameters
    ----------
    estimator : fitted emkit estimator

    Returns
    -------
    dict
        ``estimator``, ``hyper_parameters``, ``n_features``, ``feature_names``, ``fit``
        (iterations, convergence, log-likelihood, rows) and ``parameters`` (dotted path to
        nested lists).
    """
    settings = {k: v for k, v in estimator.get_params(deep=False).items()
                if k not in _RUN_SETTINGS and (v is None or isinstance(v, (int, float, str)))}
    fit = getattr(estimator, "_fit_record", None)
    names = getattr(estimator, "feature_names_in_", None)
    return {
        "estimator": type(estimator).__name__,
        "hyper_parameters": settings,
        "n_features": getattr(estimator, "n_features_in_", None),
        "feature_names": None if names is None else [str(n) for n in names],
        "fit": None if fit is None else {
            "n_iter": fit.n_iter, "converged": fit.converged, "reason": fit.reason,
            "log_likelihood": fit.log_likelihood, "n_samples": fit.n_samples},
        "parameters": {path: np.asarray(leaf).tolist()
                       for path, leaf in estimator.get_fitted_state().params.paths().items()},
    }


def render(description: dict) -> str:
    """The description as text for a terminal."""
    lines = [f"{description['estimator']}"]
    settings = ", ".join(f"{k}={v!r}" for k, v in description["hyper_parameters"].items())
    lines.append(f"  settings: {settings}")
    names = description["feature_names"]
    lines.append(f"  features: {description['n_features']}"
                 + (f" ({', '.join(names)})" if names else ""))
    fit = description["fit"]
    if fit:
        lines.append(f"  fit: {fit['n_iter']} iterations, converged={fit['converged']} "
                     f"({fit['reason']}), log-likelihood {fit['log_likelihood']:.6f} over "
                     f"{fit['n_samples']:g} rows")
    lines.append("  parameters:")
    for path, value in description["parameters"].items():
        array = np.asarray(value)
        text = np.array2string(array, precision=4, suppress_small=True, max_line_width=88,
                               threshold=60)
        shape = "x".join(map(str, array.shape)) or "scalar"
        lines.append(f"    {path} ({shape}):")
        lines.extend("      " + line for line in text.splitlines())
    return "\n".join(lines)
