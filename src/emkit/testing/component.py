"""``check_component``: a component against an independent reference, property by property."""
from __future__ import annotations

import functools

import numpy as np
from scipy.special import softmax

from ..engine.tree import StatisticLeaf, Tree
from ._goodness_of_fit import goodness_of_fit
from ..engine.geometry import Geometry
from ._optimize import maximise
from .references import draw, log_density

__all__ = ["CHECKS", "check_component"]

#: The properties :func:`check_component` runs, in order.
CHECKS = ("log_prob", "additivity", "duplicates", "expected_log_prob", "m_step", "sample")


class _Case:
    """The component, its parameters, the reference, and data drawn from the reference."""

    def __init__(self, component, params, reference, n_samples, rng, inner_latent):
        self.component, self.params, self.reference = component, params, reference
        self.rng, self.inner_latent = rng, inner_latent
        self.n_components = _count_components(component, params, reference, rng)
        self.X = np.vstack([draw(reference(params, k), n_samples, rng)
                            for k in range(self.n_components)])
        log_probs = np.column_stack([log_density(reference(params, k), self.X)
                                     for k in range(self.n_components)])
        self.weights = softmax(log_probs, axis=1) * rng.uniform(0.5, 2.0, (self.X.shape[0], 1))

    def fail(self, check, detail):
        raise AssertionError(f"check_component({self.component!r}): {check}: {detail}")

    def reference_log_lik(self, params, X=None, weights=None):
        """``sum_ik w_ik log p_ref(x_i | theta_k)`` (terms of zero weight are zero)."""
        X = self.X if X is None else X
        weights = self.weights if weights is None else weights
        total = 0.0
        for k in range(self.n_components):
            held = weights[:, k] > 0
            total += float(np.sum(weights[held, k] * log_density(self.reference(params, k),
                                                               X[held])))
        return total

    @functools.cached_property
    def updated(self):
        """The component's M-step from the statistics of the data and weights."""
        try:
            return self.component.m_step(self.stats(), self.params)
        except Exception as error:
            self.fail("m_step", f"it raised {error!r}")

    def stats(self, X=None, weights=None):
        X = self.X if X is None else X
        weights = self.weights if weights is None else weights
        return self.component.expected_stats(self.params, X, weights)


def _count_components(component, params, reference, rng):
    """K, from the shape of ``log_prob`` on one row drawn from the reference."""
    try:
        return component.log_prob(params, draw(reference(params, 0), 1, rng)).shape[1]
    except Exception as error:
        raise AssertionError(f"check_component({component!r}): log_prob: it raised {error!r} "
                             "on a row drawn from the reference") from error


def _leaves(tree):
    """``{path: array}`` of every array in a statistics Tree, statistic leaves opened."""
    out = {}
    for path, leaf in tree.paths().items():
        if isinstance(leaf, StatisticLeaf):
            out.update({f"{path}.{name}": value for name, value in leaf.arrays().items()})
        else:
            out[path] = leaf
    return out


def _assert_same_stats(case, check, got, expected):
    got, expected = _leaves(got), _leaves(expected)
    if got.keys() != expected.keys():
        case.fail(check, f"statistics have entries {sorted(got)} and {sorted(expected)}")
    for path in expected:
        try:
            np.testing.assert_allclose(got[path], expected[path], rtol=1e-9, atol=1e-9)
        except AssertionError as error:
            case.fail(check, f"statistic {path!r} differs:{error}")


def _close(a, b, rtol):
    return a == b or abs(a - b) <= rtol * max(abs(a), abs(b), 1.0)


def check_log_prob(case):
    table = case.component.log_prob(case.params, case.X)
    if table.shape != (case.X.shape[0], case.n_components):
        expected = (case.X.shape[0], case.n_components)
        case.fail("log_prob", f"shape {table.shape}, expected {expected}")
    for k in range(case.n_components):
        expected = log_density(case.reference(case.params, k), case.X)
        try:
            np.testing.assert_allclose(table[:, k], expected, rtol=1e-8, atol=1e-10)
        except AssertionError as error:
            case.fail("log_prob", f"component {k} does not match the reference:{error}")


def check_additivity(case):
    n = case.X.shape[0]
    cut = case.rng.permutation(n)
    first, second = cut[: n // 3], cut[n // 3:]
    split = case.stats(case.X[first], case.weights[first]) + case.stats(
        case.X[second], case.weights[second])
    _assert_same_stats(case, "additivity (stats of two parts must add up to the stats of "
                             "the whole)", split, case.stats())


def check_duplicates(case):
    counts = case.rng.integers(0, 4, size=case.X.shape[0])
    weighted = case.stats(case.X, case.weights * counts[:, None])
    repeated = case.stats(np.repeat(case.X, counts, axis=0),
                          np.repeat(case.weights, counts, axis=0))
    _assert_same_stats(case, "duplicates (integer weights must equal repeated rows)",
                       weighted, repeated)


def check_expected_log_prob(case):
    stats, updated = case.stats(), case.updated
    for name, params in (("the E-step parameters", case.params), ("the M-step result", updated)):
        got = case.component.expected_log_prob(stats, params)
        expected = case.reference_log_lik(params)
        if params is updated and case.inner_latent:
            if got > expected + 1e-9 * max(abs(expected), 1.0):
                case.fail("expected_log_prob", f"at {name} the bound {got!r} exceeds the "
                                               f"reference log-likelihood {expected!r}")
        elif not _close(got, expected, 1e-9):
            case.fail("expected_log_prob", f"at {name} it is {got!r}; the reference's weighted "
                                           f"log-likelihood is {expected!r}")


def _objective(case, stats):
    component = case.component
    if case.inner_latent:
        return lambda p: component.expected_log_prob(stats, p) + component.log_prior(p)
    return lambda p: case.reference_log_lik(p) + component.log_prior(p)


def _compare_m_step(case, updated, optimum, objective, what):
    got, best = objective(updated), objective(optimum)
    if got < best - 1e-7 * max(abs(best), 1.0):
        case.fail("m_step", f"its result scores {got!r} but {what} reaches {best!r}")
    for path, value in optimum.paths().items():
        try:
            np.testing.assert_allclose(updated.get_path(path), value, rtol=1e-4, atol=1e-5)
        except AssertionError as error:
            case.fail("m_step", f"parameter {path!r} differs from {what}:{error}")


def check_m_step(case, mle):
    stats, updated = case.stats(), case.updated
    objective = _objective(case, stats)
    if callable(mle):
        _compare_m_step(case, updated, Tree(mle(case.X, case.weights)), objective,
                        "the closed-form MLE")
        return
    geometry = Geometry(case.component.constraints(), case.params)
    optimum, _ = maximise(objective, geometry, case.params)
    _compare_m_step(case, updated, optimum, objective, "scipy.optimize (BFGS on the weighted "
                    "reference log-likelihood)")


def check_sample(case, n_samples, alpha):
    tests = []
    for k in range(case.n_components):
        labels = np.full(n_samples, k)
        sample = np.asarray(case.component.sample(case.params, labels, case.rng), dtype=float)
        reference = case.reference(case.params, k)
        draws = draw(reference, n_samples, case.rng)
        if sample.shape != draws.shape:
            case.fail("sample", f"component {k}: sample has shape {sample.shape}, the reference "
                                f"draws {draws.shape}")
        tests += [(k, name, p) for name, p in goodness_of_fit(sample, reference, draws)]
    threshold = alpha / len(tests)
    for k, name, p_value in tests:
        if p_value < threshold:
            case.fail("sample", f"component {k}: {name} rejects the sampler (p = {p_value:.3g} "
                                f"< {threshold:.3g})")


def check_component(component, params, reference, *, mle="optimize", inner_latent=False,
                    checks=CHECKS, n_samples=500, alpha=1e-3, random_state=0):
    """Check a component against an independent reference density, property by property.

    Parameters
    ----------
    component : Component
    params : Tree
        Parameters of K components (K leading their arrays), the data's true law.
    reference : callable
        ``reference(params, k)`` returns the law of component k under ``params``: a frozen
        scipy.stats distribution or any object with ``logpdf``/``logpmf`` and ``rvs`` (see
        :mod:`emkit.testing.references`; :class:`~emkit.testing.Product` for independent
        columns). It must not call the component.
    mle : "optimize" or callable, default="optimize"
        The reference for ``m_step``: direct maximisation of the weighted reference
        log-likelihood (plus ``component.log_prior``) with scipy.optimize over the parameters
        in the unconstrained coordinates of their constraints, or ``mle(X, weights) -> Tree``,
        a closed-form weighted MLE (needed when the likelihood is not smooth, e.g. Uniform).
    inner_latent : bool, default=False
        The component has a latent variable of its own (its ``expected_stats`` does an inner
        E-step). Its ``expected_log_prob`` must equal the reference at the E-step parameters
        and bound it elsewhere, and its ``m_step`` must maximise that bound.
    checks : sequence of str, default=CHECKS
        Which of :data:`CHECKS` to run.
    n_samples : int, default=500
        Rows drawn from the reference per component.
    alpha : float, default=1e-3
        Family-wise level of the goodness-of-fit tests of ``sample``.
    random_state : int, default=0

    Raises
    ------
    AssertionError
        Naming the component, the failing property, and what differed.

    Notes
    -----
    The data are drawn from the reference; the weights are the responsibilities of equally
    weighted components times random row weights in [0.5, 2]. ``log_prob`` is compared with
    the reference density; the statistics must add over a split of the rows and must treat
    integer weights as repeated rows; ``expected_log_prob`` must equal the weighted reference
    log-likelihood at the E-step parameters and at the M-step's result; ``m_step`` must reach
    the maximum found independently; ``sample`` must pass goodness-of-fit tests.
    Components with a regulariser (``reg_covar``) should be checked with it set to 0.
    """
    unknown = set(checks) - set(CHECKS)
    if unknown:
        raise ValueError(f"checks: unknown names {sorted(unknown)}; choose from {CHECKS}.")
    rng = np.random.default_rng(random_state)
    case = _Case(component, params, reference, n_samples, rng, inner_latent)
    runners = {
        "log_prob": lambda: check_log_prob(case),
        "additivity": lambda: check_additivity(case),
        "duplicates": lambda: check_duplicates(case),
        "expected_log_prob": lambda: check_expected_log_prob(case),
        "m_step": lambda: check_m_step(case, mle),
        "sample": lambda: check_sample(case, 2 * n_samples, alpha),
    }
    for name in CHECKS:
        if name in checks:
            runners[name]()
