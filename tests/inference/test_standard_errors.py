"""Standard errors: Louis' observed information equals the negative Hessian of the observed
log-likelihood (central differences written in this file) on a Gaussian
mixture, a Poisson mixture and the custom non-mixture model of docs/custom-models.md; the
bootstrap agrees within Monte Carlo error; non-converged fits and saddle points are flagged."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import emkit
from emkit.engine.geometry import Geometry
from emkit.inference import observed_information

sys.path.insert(0, str(Path(__file__).parents[2] / "examples"))
import custom_model


def _gaussian_mixture():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(3, 1, (150, 2))])
    return emkit.Mixture(emkit.Gaussian("full", 0.0), 2), emkit.Block(X)


def _gaussian_mixture_of(covariance_type):
    def make():
        _, block = _gaussian_mixture()
        return emkit.Mixture(emkit.Gaussian(covariance_type, 0.0), 2), block

    return make


def _binomial_mixture():
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.binomial(10, 0.2, 150), rng.binomial(10, 0.7, 150)])[:, None]
    return emkit.Mixture(emkit.Binomial(10), 2), emkit.Block(X.astype(float))


def _poisson_mixture(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.poisson(2, n), rng.poisson(9, n)])[:, None].astype(float)
    return emkit.Mixture(emkit.Poisson(), 2), emkit.Block(X)


def _blood_types():
    X = np.arange(4.0)[:, None]
    return custom_model.BloodTypes(), emkit.Block(X, weights=custom_model.COUNTS)


CASES = {"gaussian mixture": _gaussian_mixture, "poisson mixture": _poisson_mixture,
         "custom blood types": _blood_types, "binomial mixture": _binomial_mixture,
         **{f"gaussian {kind}": _gaussian_mixture_of(kind) for kind in ("tied", "diag",
                                                                       "spherical")}}


def _fitted(case):
    model, block = CASES[case]()
    return model, block, emkit.fit(model, block, random_state=0, tol=1e-12, max_iter=5000,
                                   n_init=2)


def _reference_information(model, params, block, step=1e-4):
    """-Hessian of the observed log-likelihood in the Geometry's coordinates, by central
    second differences written here (independent of emkit's own difference helpers)."""
    geometry = Geometry(model.constraints(), params)
    centre = geometry.flatten(params)

    def loglik(x):
        theta = geometry.unflatten(x)
        return np.sum(block.sample_weights() * model.row_log_likelihood(theta, block))

    h = step * (1 + np.abs(centre))
    basis = np.diag(h)
    out = np.empty((centre.size, centre.size))
    for i in range(centre.size):
        for j in range(centre.size):
            out[i, j] = (loglik(centre + basis[i] + basis[j]) - loglik(centre + basis[i]
                         - basis[j]) - loglik(centre - basis[i] + basis[j])
                         + loglik(centre - basis[i] - basis[j])) / (4 * h[i] * h[j])
    return -out


@pytest.mark.parametrize("method", ["louis", "numerical"])
@pytest.mark.parametrize("case", list(CASES))
def test_information_inverse_matches_the_numerical_hessian(case, method):
    model, block, result = _fitted(case)
    reference = np.linalg.inv(_reference_information(model, result.params, block))
    _, information = observed_information(model, result.params, block, method)
    ours = np.linalg.inv(information)
    assert np.max(np.abs(ours - reference)) <= 1e-4 * np.max(np.abs(reference))
    np.testing.assert_allclose(np.sqrt(np.diag(ours)), np.sqrt(np.diag(reference)),
                               rtol=1e-4)


def test_standard_errors_are_keyed_by_path_with_each_shape_and_summarised():
    model, block, result = _fitted("gaussian mixture")
    errors = emkit.standard_errors(result, block, model)
    assert {k: v.shape for k, v in errors.items()} == {
        "weights": (2,), "components.means": (2, 2), "components.covariances": (2, 2, 2)}
    assert errors.converged and errors.positive_definite
    table = errors.summary()
    assert list(table.columns) == ["estimate", "std_error", "ci_0.025", "ci_0.975"]
    assert len(table) == 2 + 4 + 8 and "components.means" in str(table)
    np.testing.assert_allclose(errors["weights"][0], errors["weights"][1], rtol=1e-8)


def test_estimator_standard_errors_are_keyed_by_fitted_attribute():
    _, block, _ = _fitted("poisson mixture")
    estimator = emkit.PoissonMixture(2, tol=1e-12, max_iter=5000, random_state=0).fit(block.X)
    errors = estimator.standard_errors(block.X)
    assert set(errors) == {"weights_", "rates_"}
    assert errors["rates_"].shape == estimator.rates_.shape
    assert estimator.summary(block.X).index.get_level_values(0)[0] == "weights_"


@pytest.mark.parametrize("kind", ["nonparametric", "parametric"])
def test_bootstrap_agrees_with_louis_within_monte_carlo_error(kind):
    model, block = _poisson_mixture(n=300, seed=3)
    result = emkit.fit(model, block, random_state=0, tol=1e-12, max_iter=5000)
    louis = emkit.standard_errors(result, block, model)
    n_bootstrap = 150
    boot = emkit.standard_errors(result, block, model, method="bootstrap",
                                 n_bootstrap=n_bootstrap, bootstrap=kind, random_state=1)
    # the relative standard deviation of a standard deviation from B draws is 1/sqrt(2B)
    allowed = 4 / np.sqrt(2 * n_bootstrap)
    for name in ("weights", "components.rates"):
        np.testing.assert_allclose(boot[name], louis[name], rtol=allowed)


def test_a_non_converged_fit_warns_and_says_so():
    model, block = _poisson_mixture()
    with pytest.warns(emkit.ConvergenceWarning):
        result = emkit.fit(model, block, random_state=0, max_iter=2)
    with pytest.warns(emkit.ConvergenceWarning, match="has not converged"):
        errors = emkit.standard_errors(result, block, model)
    assert errors.converged is False and errors.summary().attrs["converged"] is False


def test_a_saddle_point_is_flagged_with_its_direction():
    model, block = _gaussian_mixture()
    X = block.X
    one = emkit.Tree(weights=np.array([0.5, 0.5]), components=emkit.Tree(
        means=np.repeat(X.mean(axis=0)[None], 2, axis=0),
        covariances=np.repeat(np.cov(X.T, bias=True)[None], 2, axis=0)))
    result = emkit.fit(model, block, init=one, max_iter=1, tol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        with pytest.warns(emkit.ConvergenceWarning, match="saddle or boundary"):
            errors = emkit.standard_errors(result, block, model)
    assert errors.positive_definite is False and "components." in errors.direction


def test_unknown_method_and_louis_without_a_row_posterior_are_clear_errors():
    model, block, result = _fitted("poisson mixture")
    with pytest.raises(ValueError, match="method must be one of"):
        emkit.standard_errors(result, block, model, method="magic")


def test_constrained_parsimonious_models_point_to_the_bootstrap():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(4, 1, (100, 2))])
    estimator = emkit.GaussianMixture(2, model="EEE", tol=1e-10, random_state=0).fit(X)
    with pytest.raises(ValueError, match="method='bootstrap'"):
        estimator.standard_errors(X)
    errors = estimator.standard_errors(X, method="bootstrap", n_bootstrap=20, random_state=0)
    assert errors["covariances_"].shape == (2, 2, 2)
    # the bootstrap refits keep the structure: both covariances are equal in every draw, so
    # their standard errors are too
    np.testing.assert_allclose(errors["covariances_"][0], errors["covariances_"][1])


def test_bootstrap_runs_on_the_dask_backend():
    from emkit.backends import DaskBackend

    model, block = _poisson_mixture(n=100)
    result = emkit.fit(model, block, random_state=0, tol=1e-10, max_iter=1000)
    errors = emkit.standard_errors(result, block, model, method="bootstrap", n_bootstrap=5,
                                   random_state=0, backend=DaskBackend(chunk_size=50))
    assert np.all(np.isfinite(errors["components.rates"]))
