"""``emkit select``: a grid of fits ranked by BIC, as mclust shows it."""
from __future__ import annotations

import copy

import numpy as np

from ._models import MODELS

__all__ = ["bic_grid", "parse_k_range", "wide_table"]

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


def covariance_types(text, model) -> list:
    """The covariance types ``--covariance-type`` asks for (``all``, or a comma list)."""
    if "covariance_type" not in MODELS[model].options:
        return [None]
    if text is None:
        return ["full"]
    return list(COVARIANCE_TYPES) if text == "all" else text.split(",")


def bic_grid(fit_one, args, ks, types):
    """Fit every (covariance type, K) and rank the fits by BIC (lower is better).

    This is the one place that runs the grid: it switches to ``emkit.select`` when that
    function lands, keeping the table's columns.

    Parameters
    ----------
    fit_one : callable ``(args) -> (fitted estimator, summary dict)``
        Fits the model ``args`` describe (the command's fit, with its data and progress);
        the summary has ``log_likelihood``, ``n_parameters`` and ``bic``.
    args : argparse.Namespace
    ks : list of int
    types : list of str or [None]

    Returns
    -------
    table : DataFrame
        Columns ``model, covariance_type, n_components, n_parameters, log_likelihood,
        bic, converged, n_iter, error``, sorted by BIC (failed fits last).
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
                       bic=np.nan, converged=False, n_iter=0, error="")
            try:
                estimator, summary = fit_one(trial)
            except ValueError as error:  # a collapse or too few rows for k: a row, not a stop
                row["error"] = str(error).splitlines()[0][:200]
                rows.append(row)
                continue
            row.update(n_parameters=summary["n_parameters"],
                       log_likelihood=summary["log_likelihood"], bic=summary["bic"],
                       converged=summary["converged"], n_iter=summary["n_iter"])
            rows.append(row)
            if row["bic"] < best_bic:
                best, best_bic = estimator, row["bic"]
    table = pd.DataFrame(rows).sort_values("bic", na_position="last", kind="stable")
    return table.reset_index(drop=True), best


def wide_table(table):
    """BIC with one row per K and one column per covariance type (mclust's layout)."""
    return table.pivot_table(index="n_components", columns="covariance_type", values="bic",
                             aggfunc="first", dropna=False)
