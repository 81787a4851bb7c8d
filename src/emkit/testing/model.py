"""``check_model``: a latent variable model's EM guarantees, and its posterior by brute force."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
from scipy.special import logsumexp

from ..engine.data import Block
from ..engine.em import fit
from ..exceptions import AnatomyWarning, ConvergenceWarning, NonMonotoneWarning
from ..models.mixture import Mixture

__all__ = ["check_model", "mixture_log_joint"]

#: The most joint latent configurations the brute-force posterior enumerates.
MAX_CONFIGURATIONS = 20_000


def mixture_log_joint(model, params, block, z):
    """``log p(X, Z = z | params)`` of a :class:`~emkit.models.Mixture`, from its densities.

    ``sum_i log w_{z_i} + log p(x_i | theta_{z_i})``.
    """
    table = model.component.log_prob(params.components, block.X)
    rows = np.arange(block.n_samples)
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(params.weights)[z] + table[rows, z]))


def _fail(model, check, detail):
    raise AssertionError(f"check_model({model!r}): {check}: {detail}")


def _check_run(model, block, params, n_iter, rtol, fixed):
    with warnings.catch_warnings():  # the checks below are stricter than the live ones
        warnings.simplefilter("ignore", AnatomyWarning)
        warnings.simplefilter("ignore", NonMonotoneWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # a run of n_iter steps, by design
        result = fit(model, block, init=params, tol=0.0, max_iter=n_iter, fixed=fixed)
    for row in result.history:
        scale = max(abs(row.evidence), 1.0)
        if abs(row.bound_e - row.evidence) > rtol * scale:
            _fail(model, "bound equals evidence after the E-step",
                  f"iteration {row.iteration}: bound {row.bound_e!r}, evidence {row.evidence!r}")
        if row.bound_m < row.bound_e - rtol * scale:
            _fail(model, "M-step raises the bound",
                  f"iteration {row.iteration}: {row.bound_e!r} -> {row.bound_m!r}")
        if row.change < -rtol * scale:
            _fail(model, "evidence monotone",
                  f"iteration {row.iteration}: the objective fell by {-row.change!r}")
    return result.params


def _log_joint_hook(model, log_joint):
    if callable(log_joint):
        return log_joint
    if isinstance(model, Mixture):
        return lambda params, block, z: mixture_log_joint(model, params, block, z)
    raise TypeError(
        f"check_model cannot enumerate the latent variables of {type(model).__name__}: pass "
        "log_joint(params, block, z) -> log p(X, Z=z), or log_joint=False for a model whose "
        "latent space is not finite."
    )


def _brute_force(model, params, block, log_joint, n_latent):
    """Posterior marginals (n_samples, n_latent) and evidence by enumerating every z."""
    n = block.n_samples
    if n_latent ** n > MAX_CONFIGURATIONS:
        raise ValueError(f"brute force over {n_latent}^{n} configurations is too many; pass "
                         "fewer rows in tiny")
    configurations = np.array(list(itertools.product(range(n_latent), repeat=n)))
    if block.labels is not None:
        known = block.labels >= 0
        agree = np.all(configurations[:, known] == block.labels[known], axis=1)
        configurations = configurations[agree]
    log_joints = np.array([log_joint(params, block, z) for z in configurations])
    evidence = logsumexp(log_joints)
    weights = np.exp(log_joints - evidence)
    posterior = np.zeros((n, n_latent))
    for i in range(n):
        np.add.at(posterior[i], configurations[:, i], weights)
    return posterior, evidence


def _check_posterior(model, params, tiny, log_joint):
    posterior = np.asarray(model.posterior(params, tiny).probabilities)
    hook = _log_joint_hook(model, log_joint)
    expected, evidence = _brute_force(model, params, tiny, hook, posterior.shape[1])
    try:
        np.testing.assert_allclose(posterior, expected, rtol=1e-7, atol=1e-10)
    except AssertionError as error:
        _fail(model, "posterior against brute-force enumeration", str(error))
    loglik = model.e_step(params, tiny).loglik
    if abs(loglik - evidence) > 1e-9 * max(abs(evidence), 1.0):
        _fail(model, "evidence against brute-force enumeration",
              f"e_step gives {loglik!r}, the sum over every z gives {evidence!r}")


def check_model(model, data, *, params=None, n_iter=10, fixed=(), tiny=None, log_joint=None,
                rtol=1e-9, random_state=0):
    """Check the EM guarantees of a LatentModel on data, and its posterior on a tiny case.

    Parameters
    ----------
    model : LatentModel
    data : ndarray of shape (n_samples, n_features) or Block
    params : Tree, optional
        Starting parameters; ``model.init_params`` by default.
    n_iter : int, default=10
        Length of the EM run.
    fixed : iterable of str, default=()
        Parameter names or dotted paths held fixed during the run (as in :func:`emkit.fit`).
    tiny : Block, optional
        Data for the brute-force posterior; the first 4 rows of ``data`` (without weights) by
        default. Rows that form one sequence are enumerated jointly.
    log_joint : callable, False or None
        ``log_joint(params, block, z) -> float``, ``log p(X, Z = z | params)`` for a full
        assignment ``z`` of shape (n_samples,). None uses :func:`mixture_log_joint` for a
        Mixture. False skips the enumeration (a latent space that is not finite).
    rtol : float, default=1e-9
        Relative tolerance of the bound and monotonicity checks.
    random_state : int, default=0

    Raises
    ------
    AssertionError
        Naming the model, the failing property and the iteration.

    Notes
    -----
    Along an EM run of ``n_iter`` iterations (tol=0): the bound after every E-step equals the
    evidence, every M-step raises the bound, and the objective never decreases; the engine
    must not warn. On the tiny data, the posterior and the evidence equal those obtained by
    enumerating every joint configuration of the latent variables, ``p(Z | X) =
    p(X, Z) / sum_Z p(X, Z)``, with ``p(X, Z)`` from ``log_joint``. The enumeration uses the
    parameters at the end of the run.
    """
    block = data if isinstance(data, Block) else Block(np.asarray(data, dtype=float))
    model.validate_fit(block)
    if params is None:
        params = model.init_params(block, np.random.RandomState(random_state))
    fitted = _check_run(model, block, params, n_iter, rtol, fixed)
    if log_joint is False:
        return
    if tiny is None:
        tiny = Block(block.X[:4], labels=None if block.labels is None else block.labels[:4])
    _check_posterior(model, fitted, tiny, log_joint)
