"""Drivers run the one EM step; stopping rules; a decrease is never converged (issue 8)."""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.engine import Driver, ObjectiveChange, ParameterChange, PlainEM, em_step
from emkit.exceptions import AnatomyWarning, NonMonotoneWarning
from conftest import make_blobs


class OverRelaxed(Driver):
    """EM with an extrapolated jump after each step, kept only if it raises the objective.

    Every plain EM step is recorded (and checked) by the run; a jump replaces the step's end
    point when it is better, so the next step starts there.
    """

    def __init__(self, factor=1.8):
        self.factor = factor

    def run(self, problem, current, run):
        while not run.finished:
            step = em_step(problem, current)
            run.record(step)
            current = step.evaluation
            geometry = problem.geometry(step.previous.params)
            before, after = geometry.flatten(step.previous.params), geometry.flatten(step.params)
            try:
                jump = problem.evaluate(geometry.unflatten(before + self.factor * (after - before)))
            except (FloatingPointError, ValueError):  # a jump out of the support
                continue
            if jump.objective > current.objective:
                current = jump


def _mixture(k=3):
    return emkit.Mixture(emkit.Gaussian("full"), k)


def test_a_driver_written_in_a_test_runs_on_em_step_with_the_anatomy_checked():
    X = make_blobs(seed=4)
    model = _mixture()
    start = model.init_params(emkit.Block(X), np.random.RandomState(2))
    plain = emkit.fit(model, X, init=start, tol=1e-10, max_iter=500)
    relaxed = emkit.fit(model, X, init=start, tol=1e-10, max_iter=500, driver=OverRelaxed())
    assert relaxed.converged and relaxed.n_iter <= plain.n_iter
    assert relaxed.objective == pytest.approx(plain.objective, rel=1e-9)
    rows = relaxed.history
    np.testing.assert_allclose(rows.column("bound_e"), rows.column("evidence"), rtol=1e-9)
    assert np.all(rows.column("bound_m") >= rows.column("bound_e") - 1e-9 * abs(plain.objective))
    # the live checks apply to the new driver's steps: a wrong entropy is caught
    with pytest.warns(AnatomyWarning, match="does not equal the evidence"):
        emkit.fit(_WrongEntropy(_mixture()), X, init=start, max_iter=2, tol=0,
                  driver=OverRelaxed())


def test_the_plain_driver_is_the_default():
    X = make_blobs(seed=4)
    model = _mixture()
    start = model.init_params(emkit.Block(X), np.random.RandomState(2))
    a = emkit.fit(model, X, init=start, tol=1e-8)
    b = emkit.fit(model, X, init=start, tol=1e-8, driver=PlainEM())
    np.testing.assert_array_equal(a.history.column("evidence"), b.history.column("evidence"))


class _WrongEntropy(emkit.Mixture):
    def __init__(self, inner):
        super().__init__(inner.component, inner.n_components)

    def e_step(self, params, block):
        e = super().e_step(params, block)
        return emkit.engine.EStep(e.stats, e.loglik, e.entropy + 1.0)


class _Shrinking(emkit.Mixture):
    """An M-step that pulls the means a little towards the origin: the evidence falls."""

    def m_step(self, stats, params, fixed=frozenset()):
        new = super().m_step(stats, params, fixed)
        return new.replace(components=new.components.replace(
            means=0.98 * new.components.means))


def test_a_decreasing_step_is_never_converged():
    X = make_blobs(seed=1)
    model = _Shrinking(emkit.Gaussian("full"), 3)
    start = emkit.fit(_mixture(), X, random_state=0, tol=1e-12, max_iter=1000).params
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = emkit.fit(model, X, init=start, tol=1.0, max_iter=5)  # |change| / n << 1
    falls = [w for w in caught if w.category is NonMonotoneWarning and "decreased" in
             str(w.message)]
    assert falls, "the M-step above lowers the evidence"
    assert not result.converged and result.reason == "max_iter" and result.n_iter == 5
    assert result.history[-1].change < 0


def _overlapping(seed=0, n=400):
    """Two unit-variance Gaussians two standard deviations apart: EM creeps."""
    rng = np.random.default_rng(seed)
    return np.where(rng.uniform(size=n) < 0.5, rng.normal(0.0, 1.0, n),
                    rng.normal(2.0, 1.0, n))[:, None]


def _direct_optimum(x):
    """The MLE of a two-Gaussian mixture on 1-D x, by BFGS on the log-likelihood."""
    def negative(z):
        w = 1 / (1 + np.exp(-z[0]))
        a = np.log(w) + stats.norm(z[1], np.exp(z[3])).logpdf(x)
        b = np.log1p(-w) + stats.norm(z[2], np.exp(z[4])).logpdf(x)
        return -np.sum(np.logaddexp(a, b))

    z = optimize.minimize(negative, [0.0, -0.5, 1.5, 0.0, 0.0], method="BFGS",
                          options={"gtol": 1e-9}).x
    return np.sort([z[1], z[2]])


def test_the_parameter_rule_waits_for_the_parameters():
    X = _overlapping()
    model = emkit.Mixture(emkit.Gaussian("full", reg_covar=0.0), 2)
    start = emkit.Tree(weights=np.array([0.5, 0.5]),
                       components=emkit.Tree(means=np.array([[-0.5], [2.3]]),
                                             covariances=np.ones((2, 1, 1))))
    optimum = _direct_optimum(X[:, 0])
    by_objective = emkit.fit(model, X, init=start, stopping=ObjectiveChange(1e-5),
                             max_iter=100_000)
    by_parameters = emkit.fit(model, X, init=start, stopping=ParameterChange(1e-9),
                              max_iter=100_000)
    assert by_objective.converged and by_parameters.converged
    error = {name: np.max(np.abs(np.sort(r.params.components.means[:, 0]) - optimum))
             for name, r in [("objective", by_objective), ("parameters", by_parameters)]}
    assert error["parameters"] < 1e-4 < error["objective"]
    assert by_parameters.n_iter > by_objective.n_iter


def test_both_rules_together():
    X = _overlapping()
    model = emkit.Mixture(emkit.Gaussian("full"), 2)
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    both = emkit.fit(model, X, init=start, max_iter=100_000,
                     stopping=[ObjectiveChange(1e-5), ParameterChange(1e-6)])
    alone = emkit.fit(model, X, init=start, max_iter=100_000, stopping=ParameterChange(1e-6))
    assert both.converged and both.n_iter >= alone.n_iter
    with pytest.raises(ValueError, match="stopping must be None, a StoppingRule"):
        emkit.fit(model, X, stopping="parameters")
