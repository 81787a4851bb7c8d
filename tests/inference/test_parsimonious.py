"""The 14 parsimonious Gaussian models: each fits data simulated from it, its log-likelihood
matches a direct optimiser (scipy.optimize over an independent parametrisation), each M-step
is the maximum of the bound within its model, and parameters are counted as mclust counts."""
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import multivariate_normal

import emkit
from emkit.components.gaussian import PARSIMONIOUS

from . import parsimonious_reference as ref

K, D, N = 2, 2, 400


def _true_vector(model, rng):
    """A true parameter vector in the reference parametrisation (well separated means)."""
    means = np.array([[0.0, 0.0], [5.0, 3.0]])
    return np.concatenate([[0.3], means.ravel(),
                           rng.normal(scale=0.5, size=sum(ref.sizes(model, K, D)))])


def _simulate(model, seed):
    rng = np.random.default_rng(seed)
    vector = _true_vector(model, rng)
    weights, means, covs = ref.unpack(model, vector, K, D)
    labels = rng.choice(K, size=N, p=weights)
    X = np.stack([rng.multivariate_normal(means[z], covs[z]) for z in labels])
    return X, vector


def _direct_maximum(model, X, start):
    def loss(v):
        return -ref.log_likelihood(model, v, X, K)

    result = minimize(loss, start, method="BFGS", options=dict(gtol=1e-8, maxiter=5000))
    return -result.fun


@pytest.mark.slow
@pytest.mark.parametrize("model", ref.MODELS)
def test_em_log_likelihood_matches_a_direct_optimiser(model):
    X, truth = _simulate(model, seed=ref.MODELS.index(model))
    gm = emkit.GaussianMixture(K, model=model, reg_covar=0.0, tol=1e-12, max_iter=5000,
                               n_init=2, random_state=0).fit(X)
    em_loglik = gm.score(X) * N
    direct = _direct_maximum(model, X, truth)
    assert abs(em_loglik - direct) < 1e-6, (model, em_loglik, direct)
    # the fitted covariances keep the model's structure: a direct check of two letters
    covs = gm.covariances_
    volumes = np.exp(np.linalg.slogdet(covs)[1] / D)
    if model[0] == "E":
        np.testing.assert_allclose(volumes[0], volumes[1], rtol=1e-10)
    if model[2] == "I":
        np.testing.assert_allclose(covs[:, 0, 1], 0.0, atol=1e-12)


def test_reference_density_is_scipys():
    rng = np.random.default_rng(3)
    X, cov = rng.normal(size=(5, 3)), np.cov(rng.normal(size=(3, 10)))
    np.testing.assert_allclose(ref._log_normal(X, X[0], cov),
                               multivariate_normal(X[0], cov).logpdf(X), rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("model", ref.MODELS)
def test_m_step_minimises_the_bound_within_the_model(model):
    rng = np.random.default_rng(7)
    k, d = 3, 3
    Z = rng.normal(size=(k, d, 40)) * rng.uniform(0.5, 2.0, size=(k, d, 1))
    W, nk = np.einsum("kan,kbn->kab", Z, Z), np.array([40.0, 25.0, 60.0])

    def objective(cov):
        return sum(nk[j] * np.linalg.slogdet(cov[j])[1] + np.trace(np.linalg.solve(cov[j], W[j]))
                   for j in range(k))

    ours = objective(PARSIMONIOUS[model].estimate(W, nk, None))
    size = sum(ref.sizes(model, k, d))
    direct = min(minimize(lambda v: objective(ref.covariances(model, v, k, d)),
                          rng.normal(scale=0.3, size=size), method="BFGS",
                          options=dict(gtol=1e-9)).fun for _ in range(2))
    assert ours <= direct + 1e-8 * abs(direct), (model, ours, direct)


#: mclust's nVarParams(model, d, G) written out for d = 3, G = 4 (from its documented formulas).
MCLUST_COVARIANCE_PARAMETERS = {"EII": 1, "VII": 4, "EEI": 3, "VEI": 6, "EVI": 9, "VVI": 12,
                                "EEE": 6, "VEE": 9, "EVE": 12, "VVE": 15, "EEV": 15, "VEV": 18,
                                "EVV": 21, "VVV": 24}


@pytest.mark.parametrize("model", ref.MODELS)
def test_parameters_are_counted_as_mclust_counts_them(model):
    X = np.random.default_rng(0).normal(size=(60, 3))
    gm = emkit.GaussianMixture(4, model=model, max_iter=2, random_state=0)
    with pytest.warns(emkit.exceptions.ConvergenceWarning):
        gm.fit(X)
    assert gm.n_parameters() == 3 + 4 * 3 + MCLUST_COVARIANCE_PARAMETERS[model]


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(ValueError, match="model must be None or one of"):
        emkit.GaussianMixture(2, model="XYZ").fit(np.random.default_rng(0).normal(size=(20, 2)))


def test_a_parsimonious_fit_round_trips_through_a_model_file(tmp_path):
    from emkit import persist

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (80, 2)), rng.normal(4, 1, (80, 2))])
    fitted = emkit.GaussianMixture(2, model="EVE", random_state=0).fit(X)
    persist.save(fitted, tmp_path / "eve")
    loaded = persist.load(tmp_path / "eve")
    assert loaded.model == "EVE" and loaded.score(X) == pytest.approx(fitted.score(X))
    np.testing.assert_allclose(loaded.precisions_ @ loaded.covariances_,
                               np.broadcast_to(np.eye(2), (2, 2, 2)), atol=1e-10)
