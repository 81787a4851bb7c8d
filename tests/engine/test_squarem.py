"""SQUAREM (issue 10): the same optimum as plain EM, far fewer EM-map evaluations, a monotone
objective on every shipped model, the anatomy marked and checked, and a custom model."""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import emkit
import emkit.persist
from emkit.engine import ParameterChange
from emkit.engine.squarem import SQUAREM
from emkit.exceptions import AnatomyWarning, NonMonotoneWarning
from conftest import load_example
from registry import MODELS

TIGHT = ParameterChange(1e-12)


def overlapping_counts(n=400, seed=0):
    """Two Poisson populations (rates 2 and 4.5): EM creeps towards their MLE."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.poisson(2.0, int(0.4 * n)),
                           rng.poisson(4.5, n - int(0.4 * n))])[:, None].astype(float)


POISSON_START = emkit.Tree(weights=np.array([0.5, 0.5]),
                           components=emkit.Tree(rates=np.array([[1.0], [8.0]])))


def _fit(model, X, accelerate, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonMonotoneWarning)
        warnings.simplefilter("error", AnatomyWarning)
        return emkit.fit(model, X, accelerate=accelerate, **options)


def _poisson_mixture_log_likelihood(z, x):
    weight, rates = 1 / (1 + np.exp(-z[0])), np.exp(z[1:])
    return np.sum(np.logaddexp(np.log(weight) + stats.poisson.logpmf(x, rates[0]),
                               np.log1p(-weight) + stats.poisson.logpmf(x, rates[1])))


def test_squarem_reaches_plain_em_optimum_on_overlapping_counts():
    X, model = overlapping_counts(), emkit.Mixture(emkit.Poisson(), 2)
    options = dict(init=POISSON_START, max_iter=20_000, stopping=TIGHT)
    plain, fast = _fit(model, X, None, **options), _fit(model, X, "squarem", **options)
    assert plain.converged and fast.converged
    np.testing.assert_allclose(fast.params.weights, plain.params.weights, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast.params.components.rates, plain.params.components.rates,
                               rtol=0, atol=1e-8)
    # and both are the maximum found without emkit
    z0 = np.r_[0.0, np.log([1.0, 8.0])]
    z = optimize.minimize(lambda z: -_poisson_mixture_log_likelihood(z, X[:, 0]), z0,
                          method="BFGS", options={"gtol": 1e-10}).x
    assert fast.log_likelihood == pytest.approx(_poisson_mixture_log_likelihood(z, X[:, 0]),
                                                rel=1e-10)
    assert fast.n_evaluations * 10 <= plain.n_evaluations


def test_squarem_reaches_plain_em_optimum_on_a_gmm_and_an_hmm():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal([0, 0], 1.0, (150, 2)), rng.normal([1.2, 0.8], 1.0, (150, 2))])
    gmm = emkit.Mixture(emkit.Gaussian("diag"), 2)
    start = gmm.init_params(emkit.Block(X), np.random.RandomState(0))
    states = (np.arange(200) // 25) % 2
    Y = emkit.Block(rng.normal(np.array([0.0, 0.9])[states], 1.0)[:, None],
                    lengths=np.array([100, 100]))
    hmm = emkit.HMM(emkit.Gaussian("diag"), 2)
    for model, data, init in ((gmm, X, start), (hmm, Y, None)):
        options = dict(init=init, random_state=1, max_iter=20_000, stopping=TIGHT)
        plain, fast = _fit(model, data, None, **options), _fit(model, data, "squarem", **options)
        assert plain.converged and fast.converged
        # the parameters themselves (a start probability on its way to 0 has no finite
        # unconstrained coordinate to compare)
        for path, value in plain.params.paths().items():
            np.testing.assert_allclose(fast.params.get_path(path), value, rtol=0, atol=1e-8,
                                       err_msg=path)
        assert fast.n_evaluations < plain.n_evaluations


@pytest.mark.parametrize("case", MODELS, ids=lambda case: case.name)
@pytest.mark.parametrize("seed", [0, 1])
def test_squarem_never_lets_the_objective_drop(case, seed):
    result = _fit(case.model, case.data, "squarem", init=case.options.get("params"),
                  fixed=case.options.get("fixed", ()), random_state=seed, tol=1e-12,
                  max_iter=60)
    evidence = result.history.column("evidence")
    reached = evidence + result.history.column("change")
    rounding = 1e-9 * np.maximum(1.0, np.abs(evidence))
    assert np.all(np.diff(evidence) >= -rounding[1:])
    assert np.all(reached >= evidence - rounding)
    assert result.objective == pytest.approx(reached[-1], rel=1e-12)
    emkit.engine.Geometry(case.model.constraints(), result.params)  # still in the model


def test_the_anatomy_marks_jumps_and_checks_every_em_step():
    X, model = overlapping_counts(), emkit.Mixture(emkit.Poisson(), 2)
    result = _fit(model, X, "squarem", init=POISSON_START, tol=1e-10, max_iter=200)
    kinds = result.history.column("kind")
    assert set(kinds) == {"em", "extrapolation"}
    assert result.n_iter == len(kinds)
    assert result.n_evaluations == np.sum(kinds == "em")
    assert "extrapolation" in str(result.history)
    em = result.history.to_dataframe().query("kind == 'em'")
    np.testing.assert_allclose(em.bound_e, em.evidence, rtol=1e-12)
    assert np.all(em.bound_m >= em.bound_e)
    # the live checks still see every plain EM step of the driver
    with pytest.warns(AnatomyWarning, match="does not equal the evidence"):
        emkit.fit(_WrongEntropy(model), X, init=POISSON_START, max_iter=6, tol=0,
                  accelerate="squarem")


class _WrongEntropy(emkit.Mixture):
    def __init__(self, inner):
        super().__init__(inner.component, inner.n_components)

    def e_step(self, params, block):
        e = super().e_step(params, block)
        return emkit.engine.EStep(e.stats, e.loglik, e.entropy + 1.0)


def test_squarem_keeps_fixed_parameters_and_structural_zeros():
    case = next(c for c in MODELS if c.name == "hmm-poisson-left-right")
    start = case.options["params"]
    result = _fit(case.model, case.data, "squarem", init=start, fixed=("emission.rates",),
                  tol=1e-12, max_iter=80)
    assert result.params.transmat[1, 0] == 0.0
    np.testing.assert_array_equal(result.params.emission.rates, start.emission.rates)


def test_squarem_runs_unchanged_on_the_custom_blood_type_model():
    example = load_example("custom_model")
    data = emkit.Block(np.arange(4.0)[:, None], weights=example.COUNTS)
    options = dict(random_state=0, max_iter=500, stopping=TIGHT)
    plain = _fit(example.BloodTypes(), data, None, **options)
    fast = _fit(example.BloodTypes(), data, "squarem", **options)
    np.testing.assert_allclose(fast.params.alleles, plain.params.alleles, rtol=0, atol=1e-8)
    assert fast.n_evaluations <= plain.n_evaluations


def test_estimators_take_accelerate_and_report_evaluations(tmp_path):
    X = overlapping_counts()
    plain = emkit.PoissonMixture(2, tol=1e-8, max_iter=5000, random_state=0).fit(X)
    fast = emkit.PoissonMixture(2, tol=1e-8, max_iter=5000, random_state=0,
                                accelerate="squarem").fit(X)
    assert plain.n_evaluations_ == plain.n_iter_
    assert fast.n_evaluations_ < fast.n_iter_ and fast.n_evaluations_ < plain.n_evaluations_
    assert fast.score(X) >= plain.score(X) - 1e-9
    emkit.persist.save(fast, tmp_path / "model")
    loaded = emkit.persist.load(tmp_path / "model")
    assert loaded.accelerate == "squarem"
    assert loaded.n_evaluations_ == fast.n_evaluations_
    assert list(loaded.history_.column("kind")) == list(fast.history_.column("kind"))
    hmm = emkit.GaussianHMM(2, n_iter=50, random_state=0, accelerate="squarem")
    assert hmm.get_params()["accelerate"] == "squarem"
    hmm.fit(np.r_[np.zeros(30), np.ones(30)][:, None] + 0.3 * np.sin(np.arange(60))[:, None])
    assert hmm.n_evaluations_ <= hmm.n_iter_


@pytest.mark.parametrize("make", [
    lambda X: emkit.fit(emkit.Mixture(emkit.Poisson(), 2), X, accelerate="fast"),
    lambda X: emkit.GaussianMixture(2, accelerate="Squarem").fit(X),
    lambda X: emkit.GaussianHMM(2, accelerate=3).fit(X),
])
def test_an_unknown_accelerator_is_refused_by_name(make):
    with pytest.raises(ValueError, match=r"accelerate must be None \(plain EM\) or one of "
                                         r"\['squarem'\]; got"):
        make(overlapping_counts(60))


def test_accelerate_and_driver_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        emkit.fit(emkit.Mixture(emkit.Poisson(), 2), overlapping_counts(60),
                  accelerate="squarem", driver=SQUAREM())
    with pytest.raises(ValueError, match="step_max must be a finite number >= 2"):
        SQUAREM(step_min=2.0, step_max=1.0)
