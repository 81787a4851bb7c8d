"""emkit.GaussianMixture against scikit-learn's: max_iter=0, lower_bounds_, errors, collapse."""
import warnings

import numpy as np
import pytest
from sklearn import mixture

import emkit
from tests.conftest import COVARIANCE_TYPES, make_blobs

INITS = ("kmeans", "k-means++", "random", "random_from_data")


def _quiet_fit(estimator, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=0 or few iterations: ConvergenceWarning
        return estimator.fit(X)


@pytest.mark.parametrize("init_params", INITS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_max_iter_zero_gives_scikit_learns_starting_parameters(init_params, covariance_type):
    X = make_blobs(n_per=60)
    kw = dict(covariance_type=covariance_type, init_params=init_params, max_iter=0,
              random_state=3)
    reference = _quiet_fit(mixture.GaussianMixture(3, **kw), X)
    ours = _quiet_fit(emkit.GaussianMixture(3, **kw), X)
    assert ours.n_iter_ == reference.n_iter_ == 0
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.covariances_, reference.covariances_, rtol=1e-12,
                               atol=1e-12)
    # scikit-learn's seeded starts have weights N_k / n summing to K / n; emkit's sum to 1
    np.testing.assert_allclose(ours.weights_, reference.weights_ / reference.weights_.sum(),
                               rtol=0, atol=1e-12)
    assert ours.lower_bounds_ == list(reference.lower_bounds_) == []


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_seeded_starts_then_iterate_as_scikit_learn(init_params):
    """After one E-step the normalised weights are immaterial: the fits stay equal."""
    X = make_blobs(n_per=60)
    kw = dict(init_params=init_params, max_iter=4, tol=0, random_state=1)
    reference = _quiet_fit(mixture.GaussianMixture(3, **kw), X)
    ours = _quiet_fit(emkit.GaussianMixture(3, **kw), X)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.weights_, reference.weights_, rtol=0, atol=1e-9)


def test_lower_bounds_are_scikit_learns_and_lower_bound_is_of_the_returned_parameters():
    X = make_blobs(n_per=60)
    kw = dict(max_iter=6, tol=0, random_state=0)
    reference = _quiet_fit(mixture.GaussianMixture(3, **kw), X)
    ours = _quiet_fit(emkit.GaussianMixture(3, **kw), X)
    np.testing.assert_allclose(ours.lower_bounds_, reference.lower_bounds_, rtol=0,
                               atol=1e-10)
    # scikit-learn's lower_bound_ is that of the parameters before the last M-step; emkit's
    # is that of the parameters it returns (the score of the training data)
    assert reference.lower_bound_ == pytest.approx(reference.lower_bounds_[-1], abs=1e-12)
    assert ours.lower_bound_ == pytest.approx(reference.score(X), abs=1e-10)


ONE_POINT_START = dict(means_init=np.array([[0, 0], [6, 6], [5, -5.0]]),
                       weights_init=np.array([0.45, 0.45, 0.1]))


@pytest.mark.parametrize("covariance_type", ["spherical", "diag"])
def test_a_component_of_one_points_weight_fits_as_scikit_learn(covariance_type):
    """reg_covar=0 and a start leaving component 2 about one point's weight: its variance is
    small but well defined, scikit-learn fits it, and so does emkit (no collapse error)."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(100, 2), rng.randn(100, 2) + 6, [[5.0, -5.0]]])
    precisions = np.ones(3) if covariance_type == "spherical" else np.ones((3, 2))
    kw = dict(covariance_type=covariance_type, reg_covar=0.0, max_iter=1, tol=0,
              precisions_init=precisions, **ONE_POINT_START)
    reference = _quiet_fit(mixture.GaussianMixture(3, **kw), X)
    ours = _quiet_fit(emkit.GaussianMixture(3, **kw), X)
    assert reference.weights_[2] * len(X) == pytest.approx(1.0, abs=1e-3)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.covariances_, reference.covariances_, rtol=1e-9,
                               atol=1e-14)
    np.testing.assert_allclose(ours.weights_, reference.weights_, rtol=0, atol=1e-12)


def test_a_full_covariance_of_one_points_weight_raises_a_value_error_like_scikit_learn():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(100, 2), rng.randn(100, 2) + 6, [[5.0, -5.0]]])
    kw = dict(covariance_type="full", reg_covar=0.0, max_iter=3, tol=0,
              precisions_init=np.tile(np.eye(2), (3, 1, 1)), **ONE_POINT_START)
    with pytest.raises(ValueError):
        _quiet_fit(mixture.GaussianMixture(3, **kw), X)
    with pytest.raises(emkit.ComponentCollapseError, match="fewer than n_features"):
        _quiet_fit(emkit.GaussianMixture(3, **kw), X)
    assert issubclass(emkit.ComponentCollapseError, ValueError)


BAD_ARGUMENTS = [dict(n_components=0), dict(tol=-1.0), dict(reg_covar=-1.0),
                 dict(max_iter=-1), dict(n_init=0), dict(covariance_type="banded"),
                 dict(init_params="spectral"), dict(weights_init=[0.5, 0.5]),
                 dict(weights_init=[0.5, 0.6, -0.1]), dict(means_init=np.zeros((3, 5))),
                 dict(precisions_init=-np.ones((3, 3, 3))), dict(n_components=500)]


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS, ids=lambda a: next(iter(a)))
def test_every_value_error_of_scikit_learn_is_a_value_error(arguments):
    X = make_blobs(n_per=60)
    kw = dict(n_components=3, **arguments) if "n_components" not in arguments else arguments
    with pytest.raises(ValueError):
        _quiet_fit(mixture.GaussianMixture(**kw), X)
    with pytest.raises(ValueError):
        _quiet_fit(emkit.GaussianMixture(**kw), X)
