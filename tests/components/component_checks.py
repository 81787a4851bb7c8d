"""Checks shared by the per-family component tests, beyond the conformance kit.

The generic properties (log_prob, additivity, duplicated rows, expected_log_prob, the M-step,
sampling) are checked for every family by ``emkit.testing.check_component`` in
tests/test_conformance.py. What is here goes further: log densities to working precision,
conditional M-steps, EM runs on simulated data. References are independent of emkit:
scipy.stats laws (as ``emkit.testing`` references), scipy.optimize, and the invariants of
an exact EM.
"""
import itertools
import warnings

import numpy as np
import pytest
from scipy import optimize

import emkit
from emkit import Tree
from emkit.exceptions import AnatomyWarning
from emkit.engine import Geometry
from emkit.testing.references import log_density


# -- log densities ----------------------------------------------------------------------------
def reference_log_prob(law, params, X, n_components):
    """``log p_k(x_i)`` of shape (n_samples, n_components), ``p_k = law(params, k)``.

    ``law(params, k)`` returns an ``emkit.testing`` reference (a frozen scipy.stats law, or
    an ``emkit.testing.Product`` of one law per column), as in tests/test_conformance.py.
    """
    return np.column_stack([log_density(law(params, k), X) for k in range(n_components)])


def assert_log_densities_match(component, law, params, other, X, weights, log_prob_rtol):
    """``log_prob`` and ``expected_log_prob`` equal the reference law's to working precision.

    ``log_prob(params, X)`` within ``log_prob_rtol``; ``expected_log_prob`` of the statistics
    at ``params``, evaluated at ``params`` and at ``other``, within 1e-12 of
    ``sum_ik w_ik log p_k(x_i)``. (``check_component`` allows 1e-8 and 1e-9: these catch a
    special function or a sum that loses digits.)
    """
    n_components = weights.shape[1]
    np.testing.assert_allclose(component.log_prob(params, X),
                               reference_log_prob(law, params, X, n_components),
                               rtol=log_prob_rtol)
    stats_ = component.expected_stats(params, X, weights)
    for at in (params, other):
        expected = np.sum(weights * reference_log_prob(law, at, X, n_components))
        assert component.expected_log_prob(stats_, at) == pytest.approx(expected, rel=1e-12)


# -- direct maximisation ----------------------------------------------------------------------
def maximise(objective, start, polish=True):
    """argmax of a smooth objective by BFGS, then Nelder-Mead polishing (tight tolerances)."""
    negative = lambda theta: -objective(theta)  # noqa: E731
    first = optimize.minimize(negative, np.asarray(start, float), method="BFGS",
                              options={"gtol": 1e-10})
    if not polish:
        return first.x
    polished = optimize.minimize(negative, first.x, method="Nelder-Mead",
                                 options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 1000})
    return polished.x


def maximise_over(objective, constraints, params, polish=True):
    """argmax of ``objective(params)`` over the parameters named in ``constraints``.

    The others stay as in ``params``. The search runs in the unconstrained coordinates of
    the constraints (the engine's :class:`~emkit.engine.Geometry`), by :func:`maximise`.
    """
    geometry = Geometry(constraints, params)
    theta = maximise(lambda vector: objective(geometry.unflatten(vector)),
                     geometry.flatten(params), polish)
    return geometry.unflatten(theta)


def assert_conditional_m_step_maximises(component, law, params, X, weights, fixed, rtol=1e-6):
    """With ``fixed`` held, ``m_step`` returns them unchanged and maximises the rest.

    The reference maximum is that of the weighted reference log-likelihood
    ``sum_ik w_ik log p_k(x_i)``, ``p_k = law(params, k)``, over the free parameters.
    (``check_component`` checks the M-step with nothing fixed.)
    """
    new = component.m_step(component.expected_stats(params, X, weights), params, fixed=fixed)
    for name in fixed:
        np.testing.assert_array_equal(new[name], params[name])
    free = {name: c for name, c in component.constraints().items() if name not in fixed}
    n_components = weights.shape[1]
    best = maximise_over(
        lambda at: np.sum(weights * reference_log_prob(law, at, X, n_components)), free, params)
    for name in free:
        np.testing.assert_allclose(new[name], best[name], rtol=rtol, err_msg=name)
    return new


# -- EM runs ----------------------------------------------------------------------------------
def assert_em_anatomy(result, rtol=1e-9):
    """The anatomy of an exact EM, along the whole run.

    After every E-step the bound equals the evidence; every M-step raises the bound; the
    evidence never falls; the KL gap is never negative -- each within ``rtol`` of
    ``max(|evidence|, 1)``.
    """
    history = result.history
    evidence, bound_e = history.column("evidence"), history.column("bound_e")
    scale = rtol * np.maximum(np.abs(evidence), 1.0)
    np.testing.assert_array_less(np.abs(bound_e - evidence), scale)
    assert np.all(history.column("bound_m") >= bound_e - scale), "an M-step lowered the bound"
    assert np.all(history.column("change") >= -scale), "the evidence fell"
    assert np.all(history.column("kl_gap") >= -scale), "a negative KL gap"


def fit_simulated(component, true_params, weights, n_samples, seed, **fit_options):
    """Sample a mixture of ``component``, fit it with emkit.fit, check the anatomy.

    Returns
    -------
    FitResult
    """
    model = emkit.Mixture(component, len(weights))
    truth = Tree(weights=np.asarray(weights, dtype=float), components=true_params)
    X, _ = model.sample(truth, n_samples, np.random.RandomState(seed))
    model.validate(emkit.Block(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error", AnatomyWarning)
        result = emkit.fit(model, X, random_state=seed, **fit_options)
    assert_em_anatomy(result)
    return result


def best_permutation(estimated, truth):
    """The component order of ``estimated`` (K, ...) that best matches ``truth``."""
    n_components = truth.shape[0]
    return min(itertools.permutations(range(n_components)),
               key=lambda order: np.sum((estimated[list(order)] - truth) ** 2))
