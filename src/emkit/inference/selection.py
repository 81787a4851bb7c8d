"""Model selection over a grid of Gaussian mixtures: :func:`select` and its ranked table.

mclust's workflow in Python: fit every (number of components, covariance structure) pair,
score each by BIC, AIC and ICL, and rank them, best (lowest BIC, scikit-learn's sign) first.
A fit that fails is a row that says why, never an exception that loses the rest of the grid.
"""
from __future__ import annotations

import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..components.gaussian import PARSIMONIOUS, STRUCTURES
from ..engine.contracts import Backend
from ..exceptions import ConvergenceWarning

__all__ = ["SelectionTable", "select"]

COLUMNS = ["n_components", "log_likelihood", "n_parameters", "bic", "aic", "icl",
           "converged", "n_iter", "error"]


class SelectionTable(pd.DataFrame):
    """The ranked table :func:`select` returns: a DataFrame, best model first.

    Columns ``n_components``, ``covariance_type`` (or ``model`` for the parsimonious names),
    ``log_likelihood``, ``n_parameters``, ``bic``, ``aic``, ``icl`` (all three lower is better),
    ``converged``, ``n_iter`` and ``error`` (why a fit failed; empty for those that did not).
    ``best_estimator_`` is the fitted estimator of the first row.
    """

    _metadata = ["best_estimator_", "kind"]

    @property
    def _constructor(self):
        return SelectionTable

    def plot(self, criterion="bic", ax=None):
        """BIC (or ``criterion``) against the number of components, one curve per structure.

        Parameters
        ----------
        criterion : {"bic", "aic", "icl"}, default="bic"
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if criterion not in ("bic", "aic", "icl"):
            raise ValueError(f"criterion must be 'bic', 'aic' or 'icl'; got {criterion!r}.")
        ax = plt.subplots()[1] if ax is None else ax
        frame = pd.DataFrame(self)
        for kind, rows in frame.groupby(self.kind, sort=False):
            rows = rows.sort_values("n_components")
            ax.plot(rows["n_components"], rows[criterion], marker="o", label=str(kind))
        ax.set_xlabel("n_components")
        ax.set_ylabel(f"{criterion.upper()} (lower is better)")
        ax.legend(title=self.kind)
        return ax


def _grid_axis(values, name, allowed=None):
    """A non-empty list from an argument of the grid (a scalar is a one-entry grid)."""
    if values is None:
        return None
    values = [values] if isinstance(values, (str, numbers.Integral)) else list(values)
    if not values:
        raise ValueError(f"{name} is empty: the selection grid needs at least one value of "
                         f"{name}. Pass e.g. {name}=range(1, 10)." if name == "n_components"
                         else f"{name} is empty: pass at least one of {allowed}.")
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"{name} must hold names from {allowed}; got {bad}.")
    return values


def _fit_one(X, n_components, kind_name, kind, options):
    """Fit one cell of the grid; a row of the table (failures record their reason)."""
    from ..estimators.gaussian_mixture import GaussianMixture

    row = {"n_components": n_components, kind_name: kind}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator = GaussianMixture(n_components, **{kind_name: kind}, **options).fit(X)
        row.update(log_likelihood=estimator.score(X) * len(X),
                   n_parameters=estimator.n_parameters(), bic=estimator.bic(X),
                   aic=estimator.aic(X), icl=estimator.icl(X),
                   converged=bool(estimator.converged_), n_iter=estimator.n_iter_, error="")
        return row, estimator
    except Exception as error:  # noqa: BLE001 - a failed fit is a row, with its reason
        row.update(log_likelihood=np.nan, n_parameters=np.nan, bic=np.nan, aic=np.nan,
                   icl=np.nan, converged=False, n_iter=0,
                   error=f"{type(error).__name__}: {error}")
        return row, None


def _run_grid(X, cells, kind_name, options, n_jobs, backend):
    """Every cell fitted: on the Dask cluster of a Dask backend (one task per fit), else on a
    pool of ``n_jobs`` threads (each fit's E-step single-threaded)."""
    from ..backends.dask_backend import DaskBackend

    if isinstance(backend, DaskBackend):
        import dask

        tasks = [dask.delayed(_fit_one)(X, k, kind_name, kind, options) for k, kind in cells]
        client = backend.client
        if client is not None:
            return list(client.gather(client.compute(tasks)))
        return list(dask.compute(*tasks))
    from ..backends.threads import resolve_n_jobs

    workers = resolve_n_jobs(n_jobs)
    with ThreadPoolExecutor(max_workers=min(workers, len(cells))) as pool:
        return list(pool.map(lambda cell: _fit_one(X, cell[0], kind_name, cell[1],
                                                   dict(options, n_jobs=1)), cells))


def select(X, n_components=range(1, 10), covariance_type=None, *, model=None, n_init=1,
           random_state=0, n_jobs=None, backend=None, **options) -> SelectionTable:
    """Fit Gaussian mixtures over a grid and rank them by BIC, best first.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int or iterable of int, default=range(1, 10)
    covariance_type : str or list of str, optional
        scikit-learn's structures ("full", "tied", "diag", "spherical"); the default when
        neither this nor ``model`` is given is all four.
    model : str or list of str, optional
        Parsimonious models by mclust name ("EII", ..., "VVV"; see
        :mod:`emkit.components.gaussian.parsimonious`), in place of ``covariance_type``.
    n_init : int, default=1
    random_state : int, RandomState or None, default=0
        Passed to every fit, so that the grid is reproducible.
    n_jobs : int, optional
        Fits run at once on threads (None: as many as the machine allows).
    backend : Backend, optional
        A :class:`~emkit.backends.DaskBackend` runs each fit as a task on its cluster.
    **options
        Further :class:`~emkit.GaussianMixture` arguments (``tol``, ``max_iter``,
        ``reg_covar``...).

    Returns
    -------
    SelectionTable
        One row per fit, ranked by BIC (failed fits last, with their reason in ``error``).

    Raises
    ------
    ValueError
        For an empty grid, unknown structure names, or both ``covariance_type`` and ``model``.
    """
    if covariance_type is not None and model is not None:
        raise ValueError("pass covariance_type or model, not both: model names the "
                         "parsimonious structures, covariance_type scikit-learn's.")
    if backend is not None and not isinstance(backend, Backend):
        raise ValueError(f"backend must be an emkit Backend or None; got {backend!r}.")
    counts = _grid_axis(n_components, "n_components")
    if model is not None:
        kind_name, kinds = "model", _grid_axis(model, "model", list(PARSIMONIOUS))
    else:
        kind_name = "covariance_type"
        kinds = _grid_axis(covariance_type, "covariance_type", list(STRUCTURES)) \
            or list(STRUCTURES)
    X = np.asarray(X, dtype=float)
    options = dict(options, n_init=n_init, random_state=random_state)
    cells = [(k, kind) for kind in kinds for k in counts]
    results = _run_grid(X, cells, kind_name, options, n_jobs, backend)
    return _ranked(results, kind_name)


def _ranked(results, kind_name):
    frame = pd.DataFrame([row for row, _ in results],
                         columns=["n_components", kind_name] + COLUMNS[1:])
    frame["estimator"] = [estimator for _, estimator in results]
    frame = frame.sort_values("bic", na_position="last", kind="stable").reset_index(drop=True)
    table = SelectionTable(frame.drop(columns="estimator"))
    table.best_estimator_ = frame["estimator"].iloc[0]
    table.kind = kind_name
    return table
