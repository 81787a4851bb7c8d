"""emkit.GaussianMixture against sklearn.mixture.GaussianMixture from the same start."""
import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

import emkit
from conftest import COVARIANCE_TYPES, make_blobs

FITTED = ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_")


def _same_start(X, covariance_type, n_components=3):
    start = SklearnGaussianMixture(n_components, covariance_type=covariance_type, max_iter=1,
                                   random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start.fit(X)
    return dict(weights_init=start.weights_, means_init=start.means_,
                precisions_init=start.precisions_)


def _fit_both(X, covariance_type, n_iter, start):
    kwargs = dict(n_components=3, covariance_type=covariance_type, max_iter=n_iter, tol=0.0,
                  **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (SklearnGaussianMixture(**kwargs).fit(X), emkit.GaussianMixture(**kwargs).fit(X))


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(a))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_iter", [1, 3, 10])
def test_same_start_gives_sklearns_parameters(covariance_type, n_iter):
    X = make_blobs(seed=7)
    reference, fitted = _fit_both(X, covariance_type, n_iter, _same_start(X, covariance_type))
    assert fitted.n_iter_ == n_iter
    for name in FITTED:
        assert _relative_error(getattr(reference, name), getattr(fitted, name)) < 1e-8, name


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_predictions_scores_and_criteria_match_sklearn(covariance_type):
    X = make_blobs(seed=3)
    reference, fitted = _fit_both(X, covariance_type, 5, _same_start(X, covariance_type))
    np.testing.assert_allclose(fitted.predict_proba(X), reference.predict_proba(X),
                               rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
    np.testing.assert_allclose(fitted.score_samples(X), reference.score_samples(X), rtol=1e-10)
    assert fitted.bic(X) == pytest.approx(reference.bic(X), rel=1e-10)
    assert fitted.aic(X) == pytest.approx(reference.aic(X), rel=1e-10)


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_same_random_state_draws_the_same_initialisation(init_params):
    """For "kmeans" and "random", emkit draws its start exactly as scikit-learn does."""
    X = make_blobs(seed=11)
    kwargs = dict(n_components=3, init_params=init_params, random_state=5, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SklearnGaussianMixture(**kwargs).fit(X)
        fitted = emkit.GaussianMixture(**kwargs).fit(X)
    assert _relative_error(reference.means_, fitted.means_) < 1e-8


def test_converged_fit_agrees_with_sklearn_on_old_faithful():
    X = emkit.datasets.load_old_faithful()
    reference = SklearnGaussianMixture(2, tol=1e-8, random_state=0).fit(X)
    fitted = emkit.GaussianMixture(2, tol=1e-8, random_state=0).fit(X)
    order = np.argsort(fitted.means_[:, 0])
    ref_order = np.argsort(reference.means_[:, 0])
    np.testing.assert_allclose(fitted.means_[order], reference.means_[ref_order], rtol=1e-6)
    assert fitted.score(X) == pytest.approx(reference.score(X), rel=1e-9)
