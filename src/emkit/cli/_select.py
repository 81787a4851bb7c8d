"""``emkit select``: a grid of fits ranked by BIC, as mclust shows it."""
from __future__ import annotations

import copy

import numpy as np

from ._models import MODELS

__all__ = ["bic_grid", "library_grid", "parse_k_range", "wide_table"]

COVARIANCE_TYPES = ("spherical", "diag", "tied", "full")


def parse_k_range(text: str) -> list:
    """``"1:9"`` (inclusive), ``"2,4,8"`` or ``"3"`` as a list of positive ints."""
    from ._errors import UserError

    try:
        if ":" in text:
            lo, hi = (int(part) for part in text.split(":", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserError(f"-k must be a number, a range such as 1:9 or a list such as 2,4,8; "
                        f"got {text!r}.") from None
    if not values or min(values) < 1:
        raise UserError(f"-k must give positive numbers of components (1 or more); got "
                        f"{text!r}.")
    return values


def mclust_names() -> list:
    """mclust's names of the parsimonious Gaussian structures ("EII", ..., "VVV")."""
    from ..components.gaussian import PARSIMONIOUS

    return list(PARSIMONIOUS)


def covariance_types(text, model) -> list:
    """The structures ``--covariance-type`` asks for: ``all`` (scikit-learn's four),
    ``all-mclust`` (mclust's fourteen) or a comma list of either kind's names."""
    if "covariance_type" not in MODELS[model].options:
        return [None]
    if text is None:
        return ["full"]
    if text == "all":
        return list(COVARIANCE_TYPES)
    return mclust_names() if text == "all-mclust" else text.split(",")


def _in_memory(X):
    """X as one array (``emkit.select`` fits every cell of the grid from memory)."""
    if isinstance(X, np.ndarray):
        return X
    return np.concatenate([block.X for block in X.blocks(1 << 16)])


def library_grid(args, X, ks, types):
    """The grid of Gaussian mixtures fitted and ranked by :func:`emkit.select`.

    Parameters
    ----------
    args : argparse.Namespace
        ``tol``, ``max_iter``, ``reg_covar``, ``n_init``, ``random_state``, ``accelerate``.
    X : ndarray or source of shape (n_samples, n_features)
        Read into memory.
    ks : list of int
    types : list of str
        scikit-learn's covariance types, or mclust's model names.

    Returns
    -------
    table : SelectionTable
        Ranked by BIC; ``table.kind`` is the column of the structures
        (``covariance_type`` or ``model``).
    best : fitted GaussianMixture or None
    """
    from ..inference.selection import select

    mclust = [t for t in types if t in mclust_names()]
    options = {name: getattr(args, name) for name in ("tol", "max_iter", "reg_covar",
                                                       "n_init", "random_state", "accelerate")
               if getattr(args, name, None) is not None}
    structures = {"model": types} if mclust else {"covariance_type": types}
    table = select(_in_memory(X), ks, **structures, **options)
    return table, table.best_estimator_ if np.isfinite(table["bic"].iloc[0]) else None


def bic_grid(fit_one, args, ks, types):
    """Fit every (covariance type, K) of a model ``emkit.select`` does not cover (mixtures of
    other families, HMMs, factor models, a Dask cluster) and rank the fits by BIC.

    Parameters
    ----------
    fit_one : callable ``(args) -> (fitted estimator, summary dict)``
        Fits the model ``args`` describe (the command's fit, with its data and progress);
        the summary has ``log_likelihood``, ``n_parameters``, ``bic``, ``aic`` and ``icl``.
    args : argparse.Namespace
    ks : list of int
    types : list of str or [None]

    Returns
    -------
    table : DataFrame
        Columns ``model, covariance_type, n_components, n_parameters, log_likelihood,
        bic, aic, icl, converged, n_iter, error``, sorted by BIC (failed fits last).
    best : fitted estimator or None
    """
    import pandas as pd

    rows, best, best_bic = [], None, np.inf
    for covariance_type in types:
        for k in ks:
            trial = copy.copy(args)
            trial.n_components = k
            if covariance_type is not None:
                trial.covariance_type = covariance_type
            row = dict(model=args.model, covariance_type=covariance_type or "-",
                       n_components=k, n_parameters=np.nan, log_likelihood=np.nan,
                       bic=np.nan, aic=np.nan, icl=np.nan, converged=False, n_iter=0,
                       error="")
            try:
                estimator, summary = fit_one(trial)
            except ValueError as error:  # a collapse or too few rows for k: a row, not a stop
                row["error"] = str(error).splitlines()[0][:200]
                rows.append(row)
                continue
            row.update({key: summary[key] for key in ("n_parameters", "log_likelihood", "bic",
                                                       "aic", "icl", "converged", "n_iter")})
            rows.append(row)
            if row["bic"] < best_bic:
                best, best_bic = estimator, row["bic"]
    table = pd.DataFrame(rows).sort_values("bic", na_position="last", kind="stable")
    return table.reset_index(drop=True), best


def wide_table(table, kind="covariance_type"):
    """BIC with one row per K and one column per structure (mclust's layout)."""
    return table.pivot_table(index="n_components", columns=kind, values="bic",
                             aggfunc="first", dropna=False)
