"""A mixture of factor analysers recovers simulated low-rank clusters, and its anatomy passes."""
import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

import emkit
from emkit.components import FactorAnalyzer
from emkit.models import Mixture
from emkit.testing import check_model

N_FEATURES, N_FACTORS, SIZES = 20, 2, (250, 200, 150)


def low_rank_clusters(seed=0):
    """Three clusters in 20 dimensions, each a 2-factor analyser with its own noise."""
    rng = np.random.default_rng(seed)
    truth = []
    for _ in SIZES:
        truth.append(dict(mean=rng.normal(scale=4.0, size=N_FEATURES),
                          loadings=rng.normal(scale=2.0, size=(N_FEATURES, N_FACTORS)),
                          noise=rng.uniform(0.1, 0.5, N_FEATURES)))
    X = np.vstack([t["mean"] + rng.normal(size=(n, N_FACTORS)) @ t["loadings"].T
                   + rng.normal(size=(n, N_FEATURES)) * np.sqrt(t["noise"])
                   for n, t in zip(SIZES, truth)])
    return X, np.repeat(np.arange(len(SIZES)), SIZES), truth


def principal_angles(a, b):
    return np.arccos(np.clip(np.linalg.svd(np.linalg.qr(a)[0].T @ np.linalg.qr(b)[0],
                                           compute_uv=False), -1, 1))


def test_it_recovers_simulated_low_rank_clusters():
    X, labels, truth = low_rank_clusters()
    model = emkit.MixtureOfFactorAnalyzers(3, n_factors=2, n_init=3, random_state=0,
                                           tol=1e-6).fit(X)
    predicted = model.predict(X)
    assert adjusted_rand_score(labels, predicted) == 1.0
    for k, true in enumerate(truth):
        found = np.bincount(predicted[labels == k]).argmax()
        rows = X[labels == k]
        # the cluster's own maximum-likelihood mean, and its subspace within sampling error
        np.testing.assert_allclose(model.means_[found], rows.mean(axis=0), rtol=1e-5,
                                   atol=1e-5)
        assert np.max(principal_angles(model.loadings_[found], true["loadings"])) < 0.1
        covariance = (model.loadings_[found] @ model.loadings_[found].T
                      + np.diag(model.noise_variances_[found]))
        expected = stats.multivariate_normal(model.means_[found], covariance).logpdf(rows)
        np.testing.assert_allclose(model.model_.component.log_prob(
            model.components_, rows)[:, found], expected, rtol=1e-10)
    assert model.n_parameters() == 3 - 1 + 3 * (2 * N_FEATURES + N_FEATURES * 2 - 1)


def test_its_anatomy_passes_with_every_noise_model():
    X, _, _ = low_rank_clusters(1)
    for noise in ("diagonal", "isotropic"):
        check_model(Mixture(FactorAnalyzer(2, noise=noise), 3), X[::4], n_iter=10)


def test_the_live_checks_hold_along_a_whole_fit():
    X, _, _ = low_rank_clusters(2)
    model = emkit.MixtureOfFactorAnalyzers(3, n_factors=2, random_state=1, tol=1e-8,
                                           max_iter=300).fit(X)
    history = model.history_
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-10)
    assert np.all(np.diff(history.column("evidence")) >= -1e-9 * abs(history[-1].evidence))


def test_too_many_factors_is_a_clear_error():
    X, _, _ = low_rank_clusters()
    with pytest.raises(ValueError, match=r"n_factors=21 must be <= n_features = 20"):
        emkit.MixtureOfFactorAnalyzers(2, n_factors=21).fit(X)
