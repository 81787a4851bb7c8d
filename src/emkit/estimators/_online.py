"""``partial_fit``: online EM (Cappé and Moulines 2009) one minibatch per call.

Each call takes the step of :func:`emkit.engine.online.online_step`, the step the
:class:`~emkit.engine.online.OnlineEM` driver takes: the E-step on the minibatch, the running
per-row statistics moved to its points and averaged with step size ``(t + t0)^(-alpha)``, and
the M-step. The running statistics stand for all the rows seen so far (their total weight), so
a prior weighs against them as against a batch fit of those rows. The first call starts from
the estimator's own initialisation on its minibatch (or from a previous ``fit``); ``fit``
starts afresh.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine import em
from ..engine.fixed import resolve_fixed
from ..engine.monitor import History, Monitor
from ..engine.objective import default_objective
from ..engine.online import block_problem, check_step_sizes, online_step, per_row, \
    running_evaluation, step_size
from ..engine.step import EMProblem
from ..engine.stopping import ObjectiveChange
from ._data import fit_data
from ._inputs import record_features

__all__ = ["OnlineState", "partial_fit"]


@dataclass(frozen=True)
class OnlineState:
    """What ``partial_fit`` carries between calls.

    Attributes
    ----------
    running : EStep
        Per-row running statistics (their loglik and entropy averaged alike).
    n_updates : int
        Minibatches seen.
    n_seen : float
        Total weight of the rows seen.
    """

    running: object
    n_updates: int
    n_seen: float


def _check_width(estimator, data):
    expected = estimator.__dict__.get("n_features_in_")
    if expected is not None and data.n_features != expected:
        raise ValueError(
            f"X has {data.n_features} features, but {type(estimator).__name__} is expecting "
            f"{expected} features as input (as fitted by fit or partial_fit). Pass minibatches "
            "with the same columns, or call fit to start afresh.")


def _starting_params(estimator, data):
    """The model and parameters the first call continues from: the fitted ones, else the
    estimator's initialisation on this minibatch (a fit of no iterations)."""
    if "model_" in estimator.__dict__:
        return estimator.model_, estimator._fitted_params()
    estimator._check_hyper_parameters(data.n_samples)
    model = estimator._build_model(data)
    start = em.fit(model, data.source, init=estimator._start(model, data),
                   backend=data.backend, n_init=estimator.n_init,
                   random_state=estimator.random_state, fixed=estimator._fixed_names(),
                   max_iter=0)
    return model, start.params


def partial_fit(estimator, X, alpha, t0, *, sequences=False, **inputs):
    """One step of online EM on the minibatch X (see the module docstring); returns the
    estimator."""
    alpha, t0 = check_step_sizes(alpha, t0)
    data = fit_data(X, estimator._default_backend(), estimator._chosen_backend(),
                    sequences=sequences, **inputs)
    _check_width(estimator, data)
    model, params = _starting_params(estimator, data)
    fixed = resolve_fixed(estimator._fixed_names(), params)
    problem = EMProblem(model, data.source, data.backend, default_objective(model, params),
                        fixed)
    block = data.source.head()
    state = estimator.__dict__.get("_online")
    if state is None:
        first = block_problem(problem, block, check=True).evaluate(params).estep
        state = OnlineState(per_row(first, block.total_weight), 0, 0.0)
    n_seen = state.n_seen + block.total_weight
    current = running_evaluation(problem, params, state.running, n_seen)
    step, running = online_step(problem, current, state.running, block,
                                step_size(state.n_updates + 1, alpha, t0), n_seen, check=True)
    _publish(estimator, model, problem, step, n_seen, data)
    estimator._online = OnlineState(running, state.n_updates + 1, n_seen)
    return estimator


def _publish(estimator, model, problem, step, n_seen, data):
    """Set the fitted attributes after a step: the M-step of the updated running statistics,
    and the step's row appended to the anatomy."""
    previous = estimator.__dict__.get("history_", ()) if "_online" in estimator.__dict__ else ()
    row = Monitor(n_seen, ObjectiveChange(), problem.objective.name,
                  model.regularisation()).record(len(previous) + 1, step)
    history = History((*previous, row))
    history.objective_name = problem.objective.name
    estimator.model_ = model
    estimator.history_, estimator.n_iter_ = history, len(history)
    estimator.n_evaluations_, estimator.converged_ = len(history), False
    estimator.__dict__.pop("_fit_record", None)
    record_features(estimator, data.n_features, data.feature_names)
    estimator._publish(model, problem.m_step(step.evaluation))
