"""Fitting a model by EM: the one public entry point, :func:`fit`.

``fit`` checks the data, places it where the backend runs, draws a start for every restart,
and hands each run to a driver (:class:`~emkit.engine.drivers.PlainEM` by default), which takes
EM steps (:func:`~emkit.engine.step.em_step`) while the run's monitor records and checks the
anatomy. Restarts, warm starts, fixed parameters, callbacks, stopping rules and progress all
wrap that one step; no model has a loop of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from sklearn.utils import check_random_state

from ..exceptions import ConvergenceWarning, warn
from .checking import fit_check, located
from .checkpoint import (Checkpointer, check_checkpoint_path, check_resumable,
                         check_resumed_objective, read_checkpoint, restore_states)
from .contracts import LatentModel
from .data import as_source
from .drivers import Driver, PlainEM, Run
from .fixed import resolve_fixed
from .monitor import History, Monitor
from .objective import Objective, default_objective
from .progress import progress_bar
from .squarem import SQUAREM
from .step import EMProblem
from .stopping import as_stopping_rule
from .tree import Tree
from .validation import check_params, check_positive_int, check_tol

__all__ = ["ACCELERATORS", "FitResult", "default_backend", "driver_for", "fit",
           "register_default_backend"]

#: The drivers ``fit(accelerate=...)`` knows by name (None is plain EM).
ACCELERATORS = {"squarem": SQUAREM}


@dataclass(frozen=True)
class FitResult:
    """The outcome of a fit (a frozen record; its fields are its parameters and attributes).

    Parameters
    ----------
    params : Tree
        The fitted parameters: those whose objective was last reported.
    history : History
        The anatomy table, one row per iteration.
    n_iter : int
        Number of rows of the anatomy: EM iterations, and SQUAREM's extrapolations.
    converged : bool
        Whether the stopping rule was met.
    reason : str
        Why the loop stopped: ``"tol"``, ``"max_iter"``, ``"callback"`` or ``"epochs"``
        (online EM ran all its passes over the data).
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
    def n_evaluations(self) -> int:
        """Evaluations of the EM map (M-steps): the rows of the anatomy that are not
        extrapolations (``n_iter`` for plain EM)."""
        return int(sum(row.kind != "extrapolation" for row in self.history))

    @property
    def lower_bound(self) -> float:
        """Per-sample objective, ``objective / n_samples`` (scikit-learn's ``lower_bound_``)."""
        return self.objective / self.n_samples


#: ``choose(source) -> Backend or None``, registered by the backends package (the engine
#: imports nothing above it).
_BACKEND_CHOOSERS = []


def register_default_backend(choose) -> None:
    """Register ``choose(source) -> Backend or None``, asked in order for a fit's backend when
    none is given. :mod:`emkit.backends` registers Dask for Dask data, numpy for the rest."""
    _BACKEND_CHOOSERS.append(choose)


def default_backend(source):
    """The backend for ``source`` when none is given (the first registered choice)."""
    for choose in _BACKEND_CHOOSERS:
        backend = choose(source)
        if backend is not None:
            return backend
    raise ValueError(f"no backend is registered for {source!r}; pass backend=.")


def _starting_params(model, head, init, rng):
    """Parameters to start a run from (see :func:`fit`'s ``init``)."""
    if init is None:
        return model.init_params(head, rng)
    if isinstance(init, Tree):
        check_params(model.constraints(), init, name="init")
        return init
    if callable(init):
        return init(head, rng)
    return model.params_from_posterior(head, init, rng)


def _one_run(problem, start, driver, options, tracker, label):
    """One run of ``driver`` from ``start``; returns its FitResult."""
    objective = problem.objective
    monitor = Monitor(problem.n_samples, options["stopping"], objective.name,
                      problem.model.regularisation())
    resumed = options.get("resumed")
    rows = () if resumed is None else resumed.rows
    callbacks = tuple(options["callbacks"])
    parts = {"stopping": options["stopping"],
             **{f"callback{i}": callback for i, callback in enumerate(callbacks)}}
    checkpointer = None if options.get("checkpoint") is None else Checkpointer(
        options["checkpoint"], options["checkpoint_every"], problem.model, problem.n_samples,
        parts)
    run = Run(problem, monitor, options["max_iter"], callbacks=callbacks,
              verbose=options["verbose"], verbose_interval=options["verbose_interval"],
              tracker=tracker, rows=rows, checkpointer=checkpointer)
    if resumed is not None:  # the state the next step reads, and whether there is one
        restore_states(parts, resumed.extras)
        run.reason = "tol" if resumed.converged_under(options["stopping"]) else None
    if tracker is not None:
        tracker.start_run(problem.source.n_samples, options["max_iter"], label=label)
    first = problem.evaluate(start)
    if resumed is not None:
        check_resumed_objective(resumed, first.objective, options["resume"])
    driver.run(problem, first, run)
    final = run.last or first
    history = History(run.rows)
    history.objective_name = objective.name
    return FitResult(params=final.params, history=history, n_iter=len(run.rows),
                     converged=run.converged, reason=run.reason or "max_iter",
                     objective=final.objective, log_likelihood=final.estep.loglik,
                     n_samples=problem.n_samples)


def _warn_if_not_converged(result, options):
    if result.converged or result.reason != "max_iter" or not result.history:
        return
    change = result.history[-1].change
    warn(
        f"EM did not converge: it stopped at the iteration limit ({options['max_iter']}) with "
        f"a last change of {change:.3e} in the objective ({change / result.n_samples:.3e} per "
        f"sample; stopping rule {options['stopping']!r}). Allow more iterations or a larger "
        "tolerance, or check the initialisation.",
        ConvergenceWarning)


def _check_resumable_run(checkpoint, resume, n_init, driver):
    """Raise ValueError if a checkpoint cannot hold the run: restarts, or a driver that keeps
    state between steps."""
    if checkpoint is None and resume is None:
        return
    if n_init != 1:
        raise ValueError(f"checkpoint= and resume= follow one run; got n_init={n_init}. Pass "
                         "n_init=1 (and the random_state of the restart you want).")
    if not driver.resumable:
        raise ValueError(f"checkpoint= and resume= follow plain EM, whose next step depends on "
                         f"the parameters alone; got {driver!r}, which keeps state between "
                         "steps that no checkpoint holds. Fit with accelerate=None (and no "
                         "driver=).")


def driver_for(accelerate=None, driver=None) -> Driver:
    """The driver of a fit: ``driver`` if given, else the accelerator named ``accelerate``
    (None: plain EM).

    Raises
    ------
    ValueError
        If ``accelerate`` names no accelerator, or both are given.
    TypeError
        If ``driver`` is not a Driver.
    """
    if accelerate is not None and (not isinstance(accelerate, str)
                                   or accelerate not in ACCELERATORS):
        raise ValueError(f"accelerate must be None (plain EM) or one of "
                         f"{sorted(ACCELERATORS)}; got {accelerate!r}. Pass "
                         "accelerate='squarem' for SQUAREM.")
    if driver is None:
        return PlainEM() if accelerate is None else ACCELERATORS[accelerate]()
    if accelerate is not None:
        raise ValueError(f"give accelerate={accelerate!r} or driver={driver!r}, not both.")
    if not isinstance(driver, Driver):
        raise TypeError(f"driver must be an emkit.engine.drivers.Driver; got {driver!r}.")
    return driver


def fit(model: LatentModel, data, *, init=None, n_init=1, random_state=None, backend=None,
        tol=1e-3, max_iter=100, fixed=(), callbacks=(), verbose=0, verbose_interval=10,
        progress=None, stopping=None, driver=None, objective=None, checkpoint=None,
        checkpoint_every=1, resume=None, accelerate=None) -> FitResult:
    """Fit a model by EM with ``n_init`` restarts and keep the best.

    Parameters
    ----------
    model : LatentModel
    data : array of shape (n_samples, n_features), Block, Dask collection or Source
        Sources outside memory (``emkit.sources``) are initialised from ``data.head()``, a
        sample of their rows, and every block is checked by ``model.validate`` as it is
        first read.
    init : Tree, array of shape (n_samples, n_latent), Posterior, callable or None
        Starting parameters; starting responsibilities of the rows of ``data.head()`` (turned
        into parameters by ``model.params_from_posterior``); ``init(block, rng) -> Tree``
        (called for every restart); or None for the model's own initialisation (drawn anew
        for every restart).
    n_init : int, default=1
        Number of restarts; the fit with the highest objective is returned.
    random_state : int, RandomState or None
        Makes initialisation reproducible.
    backend : Backend, optional
        Where the E-step runs; by default :func:`default_backend` (the numpy backend, or the
        Dask backend for Dask data).
    tol : float, default=1e-3
        Threshold of the default stopping rule, on the change of the per-sample objective.
    max_iter : int, default=100
        Most EM iterations per run (0: evaluate the start only).
    fixed : iterable of str
        Parameter names (``"weights"``) or dotted paths (``"components.means"``) held fixed.
    callbacks : sequence of callables
        ``callback(row, params)`` after every iteration; a true return value stops the run.
    verbose : int, default=0
        Print a line every ``verbose_interval`` iterations when positive.
    verbose_interval : int, default=10
    progress : bool, ProgressTracker or None
        Progress bars over iterations and rows: None shows them when ``verbose`` is set (and
        rich is installed); see :func:`emkit.engine.progress.progress_bar`.
    stopping : StoppingRule, list of StoppingRule or None
        When a run has converged (:mod:`emkit.engine.stopping`: ``ObjectiveChange``,
        ``ParameterChange``, ``AitkenChange``); None is ``ObjectiveChange(tol)``. A decrease
        of the objective never counts as converged.
    driver : Driver, optional
        What takes the EM steps; :class:`~emkit.engine.drivers.PlainEM` by default.
    objective : Objective, optional
        What EM climbs; by default the log-posterior for a model with a prior, else the
        evidence (:func:`~emkit.engine.objective.default_objective`).
    checkpoint : str or Path, optional
        Write the state of the fit to this file every ``checkpoint_every`` iterations and
        when it finishes, atomically (:mod:`emkit.engine.checkpoint`). Needs ``n_init=1``
        and plain EM (no ``accelerate``, no stateful ``driver``).
    checkpoint_every : int, default=1
    resume : str or Path, optional
        Continue the fit saved in this checkpoint (same model and data; ``init`` is not
        used): the result equals that of a fit never interrupted. Needs ``n_init=1`` and
        plain EM. May be the same file as ``checkpoint``.
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` runs :class:`~emkit.engine.squarem.SQUAREM` (same optimum, far fewer
        EM-map evaluations on slowly converging problems; ``result.n_evaluations`` counts
        them); None is plain EM. Not with ``driver``.

    Returns
    -------
    FitResult
        The best of the restarts. A ConvergenceWarning is issued if it stopped at
        ``max_iter``.
    """
    options = dict(max_iter=check_positive_int(max_iter, "max_iter", minimum=0),
                   stopping=as_stopping_rule(stopping, check_tol(tol)), callbacks=callbacks,
                   verbose=verbose, verbose_interval=check_positive_int(verbose_interval,
                                                                         "verbose_interval"))
    n_init = check_positive_int(n_init, "n_init")
    driver = driver_for(accelerate, driver)
    _check_resumable_run(checkpoint, resume, n_init, driver)
    options.update(checkpoint=None if checkpoint is None else check_checkpoint_path(checkpoint),
                   checkpoint_every=check_positive_int(checkpoint_every, "checkpoint_every"))
    if objective is not None and not isinstance(objective, Objective):
        raise TypeError(f"objective must be an emkit.engine.objective.Objective; got "
                        f"{objective!r}.")
    source = as_source(data)
    backend = default_backend(source) if backend is None else backend
    source = backend.prepare(source)
    head = source.head()
    try:  # all rows in memory; a sample of a file or a Dask collection
        fit_check(model)(head)
    except ValueError as error:
        raise located(error, head) from None
    if not source.total_weight > 0:
        raise ValueError(f"the sample weights of the data sum to {source.total_weight!r}; at "
                         "least one row needs a positive weight.")
    rng = check_random_state(random_state)
    if resume is not None:
        resumed = read_checkpoint(resume)
        check_resumable(resumed, model, source.total_weight, resume)
        init, options["resumed"], options["resume"] = resumed.params, resumed, resume
    best, problem = None, None
    with progress_bar(progress, verbose) as tracker:
        for attempt in range(n_init):
            start = _starting_params(model, head, init, rng)
            if problem is None:
                problem = EMProblem(model, source, backend,
                                    objective or default_objective(model, start),
                                    resolve_fixed(fixed, start),
                                    check_blocks=not source.complete_head, tracker=tracker)
            if verbose:
                print(f"restart {attempt + 1} of {n_init}")
            result = _one_run(problem, start, driver, options, tracker,
                              f"restart {attempt + 1}/{n_init}")
            if best is None or result.objective > best.objective:
                best = result
    _warn_if_not_converged(best, options)
    return best
