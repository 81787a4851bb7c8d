"""The factor analysis model: its E-step against Gaussian conditioning done directly with numpy
and scipy, its anatomy through the conformance kit, PPCA against the eigendecomposition."""
import numpy as np
import pytest
from scipy import stats

import emkit
from emkit.engine.data import Block
from emkit.models import FactorAnalysis
from emkit.testing import check_model

RNG = np.random.default_rng(0)


def simulated(n_samples, loadings, noise, seed):
    rng = np.random.default_rng(seed)
    n_features, n_factors = loadings.shape
    return (rng.normal(size=n_features) + rng.normal(size=(n_samples, n_factors)) @ loadings.T
            + rng.normal(size=(n_samples, n_features)) * np.sqrt(noise))


LOADINGS = RNG.normal(size=(6, 2))
NOISE = RNG.uniform(0.2, 1.0, size=6)
X = simulated(300, LOADINGS, NOISE, 1)
PARAMS = emkit.Tree(mean=RNG.normal(size=6), loadings=LOADINGS, noise_variance=NOISE)


def conditional_gaussian(params, X):
    """q(z | x) from the joint Gaussian of (z, x), conditioned by plain linear algebra."""
    W, covariance = params.loadings, params.loadings @ params.loadings.T + np.diag(
        params.noise_variance)
    gain = np.linalg.solve(covariance, W).T            # W' C^-1, (Q, D)
    return (X - params.mean) @ gain.T, np.eye(W.shape[1]) - gain @ W, covariance


def test_the_posterior_of_the_factors_is_gaussian_conditioning():
    q = FactorAnalysis(2).posterior(PARAMS, Block(X))
    means, covariance, full = conditional_gaussian(PARAMS, X)
    np.testing.assert_allclose(q.mean, means, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(q.covariance, covariance, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(q.row_log_likelihood,
                               stats.multivariate_normal(PARAMS.mean, full).logpdf(X), rtol=1e-12)
    entropy = stats.multivariate_normal(np.zeros(2), covariance).entropy()
    assert q.total_entropy(Block(X)) == pytest.approx(len(X) * entropy, rel=1e-12)


def test_the_bound_after_the_e_step_is_the_evidence_at_any_parameters():
    model = FactorAnalysis(2)
    block = Block(X, weights=RNG.uniform(0.5, 2.0, len(X)))
    estep = model.e_step(PARAMS, block)
    bound = model.expected_log_joint(estep.stats, PARAMS) + estep.entropy
    evidence = np.sum(block.weights * stats.multivariate_normal(
        PARAMS.mean, conditional_gaussian(PARAMS, X)[2]).logpdf(X))
    assert estep.loglik == pytest.approx(evidence, rel=1e-12)
    assert bound == pytest.approx(evidence, rel=1e-10)


@pytest.mark.parametrize("noise", ["diagonal", "isotropic"])
@pytest.mark.parametrize("init", ["pca", "random"])
def test_the_anatomy_passes_the_conformance_kit(noise, init):
    check_model(FactorAnalysis(2, noise=noise, init=init), X, n_iter=15, log_joint=False)


def test_fixed_parameters_hold_and_the_anatomy_still_passes():
    check_model(FactorAnalysis(2), X, params=PARAMS, fixed=("mean",), log_joint=False)
    result = emkit.fit(FactorAnalysis(2), X, init=PARAMS, fixed={"noise_variance"}, tol=1e-6)
    np.testing.assert_array_equal(result.params.noise_variance, NOISE)


def principal_reference(X, n_factors):
    """Top eigenvectors (D, Q) and the mean of the discarded eigenvalues of the MLE
    covariance (divisor n), from numpy's eigendecomposition."""
    values, vectors = np.linalg.eigh(np.cov(X.T, bias=True))
    order = np.argsort(values)[::-1]
    return vectors[:, order[:n_factors]], values[order[n_factors:]].mean()


def projector(basis):
    q, _ = np.linalg.qr(basis)
    return q @ q.T


@pytest.mark.parametrize("seed", [1])
def test_ppca_finds_the_principal_subspace_and_the_discarded_variance(seed):
    rng = np.random.default_rng(seed)
    data = simulated(400, rng.normal(size=(7, 3)) * [3.0, 2.0, 1.0], np.full(7, 0.3), seed)
    result = emkit.fit(FactorAnalysis(3, noise="isotropic", init="random"), data,
                       tol=1e-14, max_iter=20000, random_state=seed)
    axes, discarded = principal_reference(data, 3)
    np.testing.assert_allclose(projector(result.params.loadings), projector(axes), atol=1e-6)
    assert float(result.params.noise_variance) == pytest.approx(discarded, rel=1e-6)
    np.testing.assert_allclose(result.params.mean, data.mean(axis=0), rtol=1e-10, atol=1e-10)


def test_too_many_factors_is_a_clear_error():
    with pytest.raises(ValueError, match=r"n_factors=7 must be <= n_features = 6"):
        emkit.fit(FactorAnalysis(7), X)


def test_sampling_draws_from_the_model_covariance():
    draws, factors = FactorAnalysis(2).sample(PARAMS, 20000, np.random.default_rng(3))
    assert factors.shape == (20000, 2)
    full = conditional_gaussian(PARAMS, X)[2]
    # each entry of a sample covariance of 20000 rows is within a few standard errors
    standard_error = np.sqrt((full ** 2 + np.outer(np.diag(full), np.diag(full))) / 20000)
    assert np.all(np.abs(np.cov(draws.T) - full) < 5 * standard_error)
