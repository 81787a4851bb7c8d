"""The observed information of a fitted model, in the flat unconstrained coordinates.

Two routes, both through :class:`~emkit.engine.geometry.Geometry` (so every model, built in
or custom, has them):

``"louis"`` (Louis 1982)
    ``I_obs = I_complete - I_missing``: the complete-data information
    ``-d^2 Q(theta | theta_hat) / d theta^2`` from the model's own ``expected_log_joint`` at
    the fitted statistics, less the posterior covariance of the complete-data scores,
    ``sum_i w_i Cov_q(z_i)[d log p(x_i, z_i | theta) / d theta]``. Each row's complete-data
    log-likelihood is ``log q_il + log p(x_i)`` (posterior probability plus evidence), so this
    needs a discrete latent variable per independent row (every mixture, and custom models
    whose posterior is a :class:`~emkit.engine.posterior.DiscretePosterior`).
    Derivatives of these closed-form complete-data quantities are central differences.
``"numerical"``
    Central differences of the Fisher-identity score
    ``s(theta) = d Q(theta' | theta) / d theta' at theta' = theta`` (one E-step per point):
    any model, sequences and continuous latent variables included.

The log prior of a MAP fit is part of the objective, so its curvature is included.
"""
from __future__ import annotations

import numpy as np

from ..engine.data import as_source
from ..engine.em import default_backend
from ..engine.geometry import Geometry
from ..engine.posterior import DiscretePosterior, SequencePosterior
from . import _differences as differences

__all__ = ["METHODS", "observed_information"]

METHODS = ("louis", "numerical", "bootstrap")


def _estep(model, params, data, backend):
    """The summed E-step over the data on ``backend``."""
    source = backend.prepare(as_source(data))
    return backend.map_reduce(model.e_step, params, source)


def _objective_at_fixed_stats(model, geometry, stats):
    """``theta -> Q(theta | theta_hat) + log p(theta)`` from statistics held fixed."""
    def q(vector):
        params = geometry.unflatten(vector)
        return model.expected_log_joint(stats, params) + model.log_prior(params)

    return q


def numerical_information(model, geometry, data, backend):
    """``-d s / d theta`` for the Fisher-identity score s, shape (P, P)."""
    def score(vector):
        stats = _estep(model, geometry.unflatten(vector), data, backend).stats
        return differences.gradient(_objective_at_fixed_stats(model, geometry, stats), vector)

    centre = geometry.flatten(geometry.reference)
    info = -differences.jacobian(score, centre, scale=differences.SECOND_STEP)
    return 0.5 * (info + info.T)


def _row_complete_log_likelihood(model, params, block):
    """``log p(x_i, z_i = l)`` per row and latent value (n, L), and q (n, L)."""
    posterior = model.posterior(params, block)
    if not isinstance(posterior, DiscretePosterior) or isinstance(posterior,
                                                                  SequencePosterior):
        raise ValueError(
            f"method='louis' needs a discrete latent variable per independent row; "
            f"{type(model).__name__}'s posterior is {type(posterior).__name__}. Use "
            "method='numerical' (differences of the Fisher-identity score) or 'bootstrap'.")
    q = posterior.probabilities
    with np.errstate(divide="ignore"):
        return np.log(q) + posterior.row_log_likelihood[:, None], q


def louis_information(model, geometry, data):
    """Louis' ``I_complete - I_missing`` at the reference parameters, shape (P, P)."""
    block = as_source(data).head()
    if block.n_samples != as_source(data).n_samples:
        raise ValueError("method='louis' needs the data in memory; pass an array or Block "
                         "(or use method='numerical').")
    centre = geometry.flatten(geometry.reference)
    _, q = _row_complete_log_likelihood(model, geometry.reference, block)
    live = q > 0

    def complete(vector):
        table, _ = _row_complete_log_likelihood(model, geometry.unflatten(vector), block)
        return np.where(live, table, 0.0)

    scores = differences.jacobian(complete, centre)          # (n, L, P)
    weights = block.sample_weights()
    mean = np.einsum("il,ilp->ip", q, scores)
    second = np.einsum("i,il,ilp,ilq->pq", weights, q, scores, scores)
    missing = second - np.einsum("i,ip,iq->pq", weights, mean, mean)
    stats = model.e_step(geometry.reference, block).stats
    complete_info = -differences.hessian(_objective_at_fixed_stats(model, geometry, stats),
                                         centre)
    info = complete_info - missing
    return 0.5 * (info + info.T)


def _check_coordinates(model, params):
    """Refuse a model with fewer free parameters than its declared constraints' coordinates
    (a structure the flat vector cannot express, such as parsimonious covariances): its
    information there would be that of a larger model."""
    size = Geometry(model.constraints(), params).size
    free = model.n_parameters(params)
    if free < size:
        raise ValueError(
            f"{type(model).__name__} has {free} free parameters but its declared constraints "
            f"give {size} coordinates (e.g. a parsimonious covariance model, whose equalities "
            "the flat parameter vector does not express), so its observed information cannot "
            "be taken in them. Use method='bootstrap', whose refits keep the structure.")


def observed_information(model, params, data, method="louis", *, fixed=(), backend=None):
    """The observed information matrix of ``model`` at ``params`` on ``data``.

    Parameters
    ----------
    model : LatentModel
    params : Tree
        Usually a fit's parameters (a maximum of the objective).
    data : array of shape (n_samples, n_features), Block or source
    method : {"louis", "numerical"}
    fixed : iterable of str
        Dotted paths held fixed in the fit (left out of the coordinates).
    backend : Backend, optional
        Where the E-steps of ``"numerical"`` run (default: chosen for the data).

    Returns
    -------
    geometry : Geometry
        The coordinates the matrix is in.
    information : ndarray of shape (geometry.size, geometry.size)
    """
    _check_coordinates(model, params)
    geometry = Geometry(model.constraints(), params, fixed=frozenset(fixed))
    if method == "louis":
        return geometry, louis_information(model, geometry, data)
    if method == "numerical":
        backend = default_backend(as_source(data)) if backend is None else backend
        return geometry, numerical_information(model, geometry, data, backend)
    raise ValueError(f"method must be 'louis' or 'numerical' for the observed information; "
                     f"got {method!r}.")
