"""The one EM loop, and the restarts that wrap it.

Every model in emkit, built in or user-written, is fitted by :func:`run_em`. Restarts
(:func:`fit` with ``n_init``), warm starts and callbacks wrap that loop; no model has a loop of
its own.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from ..backends.numpy_backend import NumpyBackend
from ..exceptions import ConvergenceWarning
from .contracts import EStep, LatentModel
from .data import as_source
from .fixed import overlay_fixed, resolve_fixed
from .monitor import History, Monitor
from .progress import progress_bar, tell_backend
from .tree import Tree
from .validation import check_params, check_positive_int, check_tol

__all__ = ["FitResult", "fit", "prepare", "run_em"]


@dataclass(frozen=True)
class FitResult:
    """The outcome of a fit.

    Attributes
    ----------
    params : Tree
        The fitted parameters: those whose objective was last reported.
    history : History
        The anatomy table, one row per iteration.
    n_iter : int
        Number of EM iterations (M-steps) taken.
    converged : bool
        Whether the per-sample change fell below ``tol``.
    reason : str
        Why the loop stopped: ``"tol"``, ``"max_iter"`` or ``"callback"``.
    objective : float
        ``log p(X | params)`` (+ ``log p(params)`` with a prior), evaluated at ``params``.
    log_likelihood : float
        ``log p(X | params)`` alone.
    n_samples : float
        Total sample weight of the data.
    """

    params: Tree
    history: History
    n_iter: int
    converged: bool
    reason: str
    objective: float
    log_likelihood: float
    n_samples: float

    @property
    def lower_bound(self) -> float:
        """Per-sample objective, ``objective / n_samples`` (scikit-learn's ``lower_bound_``)."""
        return self.objective / self.n_samples


@dataclass(frozen=True)
class _Evaluation:
    """The E-step at some parameters, and the objective there."""

    estep: EStep
    log_prior: float

    @property
    def objective(self) -> float:
        return self.estep.loglik + self.log_prior


def _evaluate(model, backend, data, params, tracker=None) -> _Evaluation:
    options = tell_backend(backend, tracker)
    if tracker is not None:
        tracker.start_pass()
    estep = backend.map_reduce(model.e_step, params, data, **options)
    if tracker is not None and not options:  # the backend cannot report blocks
        tracker.advance(data.n_samples)
    evaluation = _Evaluation(estep, float(model.log_prior(params)))
    if not np.isfinite(evaluation.objective):
        raise FloatingPointError(
            f"the objective became {evaluation.objective} during the fit: some rows have zero "
            "density under every component, or the parameters are degenerate. Check that the "
            "data lie in the support of the model's families, scale the data, regularise "
            "(reg_covar, a prior) or use fewer components."
        )
    return evaluation


def _bound(model, evaluation: _Evaluation, params) -> float:
    """L(q, params) for the q behind ``evaluation`` (plus the log prior at ``params``)."""
    stats = evaluation.estep.stats
    return (float(model.expected_log_joint(stats, params)) + evaluation.estep.entropy
            + float(model.log_prior(params)))


def _stop_requested(callbacks, row, params) -> bool:
    return any(bool(callback(row, params)) for callback in callbacks)


def _announce(verbose, verbose_interval, row):
    if verbose and (row.iteration == 1 or row.iteration % verbose_interval == 0):
        print(f"  iteration {row.iteration:>4d}  evidence {row.evidence: .6f}  "
              f"change {row.change: .3e}  ({row.seconds:.3f}s)")


def prepare(backend, data):
    """The data as a source placed where ``backend`` runs (Dask persists it once)."""
    source = as_source(data)
    place = getattr(backend, "prepare", None)
    return source if place is None else place(source)


def run_em(model: LatentModel, data, params: Tree, *, backend=None, tol=1e-3, max_iter=100,
           fixed=frozenset(), callbacks=(), verbose=0, verbose_interval=10,
           progress=None) -> FitResult:
    """Run EM from ``params`` until the per-sample change is below ``tol`` or ``max_iter``.

    Parameters
    ----------
    model : LatentModel
    data : array, Block, Dask collection or data source
    params : Tree
        Starting parameters.
    backend : Backend, optional
        Where the E-step runs; a :class:`NumpyBackend` by default.
    tol : float, default=1e-3
        Threshold on the change of the per-sample objective.
    max_iter : int, default=100
        Most EM iterations.
    fixed : set of str
        Dotted parameter paths held at their starting values.
    callbacks : sequence of callables
        ``callback(row, params)`` after every iteration; a true return value stops the fit.
    verbose : int, default=0
        Print a line every ``verbose_interval`` iterations when positive.
    progress : bool, tracker or None
        Progress bars over iterations and rows: None shows them when ``verbose`` is set (and
        rich is installed); see :func:`emkit.engine.progress.progress_bar`.

    Returns
    -------
    FitResult
    """
    tol, max_iter = check_tol(tol), check_positive_int(max_iter, "max_iter")
    backend = backend or NumpyBackend()
    source = prepare(backend, data)
    fixed = resolve_fixed(fixed, params)
    with progress_bar(progress, verbose) as tracker:
        if tracker is not None:
            tracker.start_run(source.n_samples, max_iter)
        return _iterate(model, source, backend, params, tol=tol, max_iter=max_iter,
                        fixed=fixed, callbacks=callbacks, verbose=verbose,
                        verbose_interval=verbose_interval, tracker=tracker)


def _iterate(model, source, backend, params, *, tol, max_iter, fixed, callbacks, verbose,
             verbose_interval, tracker):
    """The EM loop itself (see :func:`run_em`)."""
    monitor = Monitor(tol, source.total_weight, model.regularisation())
    current = _evaluate(model, backend, source, params, tracker)
    rows, reason = [], "max_iter"
    for iteration in range(1, max_iter + 1):
        started = time.perf_counter()
        stats = current.estep.stats
        new_params = overlay_fixed(model.m_step(stats, params, fixed=fixed), params, fixed)
        bound_m = _bound(model, current, new_params)
        new = _evaluate(model, backend, source, new_params, tracker)
        row = monitor.record(iteration, current.objective, _bound(model, current, params),
                             bound_m, new.objective, time.perf_counter() - started)
        rows.append(row)
        params, current = new_params, new
        _announce(verbose, verbose_interval, row)
        if tracker is not None:
            tracker.iteration(row)
        if monitor.converged(row):
            reason = "tol"
            break
        if _stop_requested(callbacks, row, params):
            reason = "callback"
            break
    history = History(rows)
    if model.log_prior(params) != 0.0:
        history.objective_name = "log-posterior"
    return FitResult(params=params, history=history, n_iter=len(rows),
                     converged=reason == "tol", reason=reason, objective=current.objective,
                     log_likelihood=current.estep.loglik, n_samples=source.total_weight)


def _starting_params(model, source, init, rng):
    if init is None:
        return model.init_params(source.head(), rng)
    if callable(init):
        return init(source.head(), rng)
    if isinstance(init, Tree):
        check_params(model.constraints(), init, name="init")
        return init
    resp = np.asarray(init, dtype=float)
    return model.params_from_posterior(source.head(), resp)


def fit(model: LatentModel, data, *, init=None, n_init=1, random_state=None, backend=None,
        tol=1e-3, max_iter=100, fixed=(), callbacks=(), verbose=0,
        verbose_interval=10, progress=None) -> FitResult:
    """Fit a model by EM with ``n_init`` restarts and keep the best.

    Parameters
    ----------
    model : LatentModel
    data : array of shape (n_samples, n_features), Block, Dask collection or data source
        Sources outside memory (``emkit.sources``) are initialised from ``data.head()``, a
        sample of their rows.
    init : Tree, array of shape (n_samples, n_latent), callable or None
        Starting parameters, starting responsibilities, ``init(block, rng) -> Tree`` (called
        for every restart), or None for the model's own initialisation (drawn anew for every
        restart).
    n_init : int, default=1
        Number of restarts; the fit with the highest objective is returned.
    random_state : int, RandomState or None
        Makes initialisation reproducible.
    fixed : iterable of str
        Parameter names (``"weights"``) or dotted paths (``"components.means"``) held fixed.
    backend, tol, max_iter, callbacks, verbose, verbose_interval, progress
        As for :func:`run_em`.

    Returns
    -------
    FitResult
        The best of the restarts. A ConvergenceWarning is issued if it did not converge.
    """
    tol, max_iter = check_tol(tol), check_positive_int(max_iter, "max_iter")
    n_init = check_positive_int(n_init, "n_init")
    backend = backend or NumpyBackend()
    source = prepare(backend, data)
    model.validate_fit(source.head())  # all rows in memory; a sample for streamed sources
    rng = check_random_state(random_state)
    best = None
    with progress_bar(progress, verbose) as tracker:
        for attempt in range(int(n_init)):
            params = _starting_params(model, source, init, rng)
            paths = resolve_fixed(fixed, params)
            if verbose:
                print(f"restart {attempt + 1} of {n_init}")
            if tracker is not None:
                tracker.start_run(source.n_samples, max_iter,
                                  label=f"restart {attempt + 1}/{n_init}")
            result = _iterate(model, source, backend, params, tol=tol, max_iter=max_iter,
                              fixed=paths, callbacks=callbacks, verbose=verbose,
                              verbose_interval=verbose_interval, tracker=tracker)
            if best is None or result.objective > best.objective:
                best = result
    if not best.converged and best.reason == "max_iter":
        change = best.history[-1].change
        warnings.warn(
            f"EM did not converge: it stopped at the iteration limit ({max_iter}) with a last "
            f"change of {change:.3e} in the objective ({change / best.n_samples:.3e} per sample "
            f"against a tolerance of {tol:.3e} per sample). Allow more iterations or a larger "
            "tolerance, or check the initialisation.",
            ConvergenceWarning, stacklevel=2,
        )
    return best
