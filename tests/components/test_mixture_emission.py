"""A mixture of Gaussians per state as an HMM emission (GMMHMM)."""
import warnings

import numpy as np
import pytest
from scipy import stats

import emkit
from emkit import AnatomyWarning, Gaussian, Tree
from emkit.components import MixtureEmission
from emkit.estimators import GMMHMM, HMM, GaussianHMM

hmm = pytest.importorskip("hmmlearn.hmm")

K, M, D = 2, 2, 2
LENGTHS = [450, 450]
START = dict(startprob_=np.array([0.5, 0.5]), transmat_=np.array([[0.9, 0.1], [0.2, 0.8]]),
             weights_=np.array([[0.5, 0.5], [0.3, 0.7]]),
             means_=np.array([[[0.0, 0.0], [5.0, 0.0]], [[0.0, 5.0], [2.0, 2.0]]]),
             covars_=np.tile(np.eye(D), (K, M, 1, 1)))


@pytest.fixture(scope="module")
def X():
    rng = np.random.RandomState(0)
    return np.concatenate([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + [5, 0],
                           0.5 * rng.normal(size=(300, 2)) + [0, 5]])


def _set(model, **changes):
    for name, value in {**START, **changes}.items():
        setattr(model, name, np.array(value, dtype=float))
    return model


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", AnatomyWarning)
        return fit()


def test_log_prob_is_the_weighted_sum_of_gaussian_densities(X):
    weights = START["weights_"]
    covariances = np.array([[[1.0, 0.3], [0.3, 2.0]], np.eye(2), 2 * np.eye(2), np.eye(2)])
    params = Tree(weights=weights, components=Tree(means=START["means_"].reshape(4, 2),
                                                   covariances=covariances))
    ours = MixtureEmission(Gaussian("full"), M).log_prob(params, X)
    expected = np.log(sum(weights[:, m] * np.stack(
        [stats.multivariate_normal(START["means_"][k, m], covariances[k * M + m]).pdf(X)
         for k in range(K)], axis=1) for m in range(M)))
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_one_iteration_is_hmmlearns_update(X):
    # reference: hmmlearn's state posteriors at the start, scipy's densities for the inner
    # responsibilities, and hmmlearn's update written out here (issue 11: GMMHMM keeps
    # hmmlearn's M-step, whose covariances use the scatter about the E-step's means)
    gamma = _set(hmm.GMMHMM(K, M, covariance_type="full", init_params="")).predict_proba(
        X, LENGTHS)
    ours = _quiet(lambda: _set(GMMHMM(K, M, covariance_type="full", init_params="",
                                      n_iter=1)).fit(X, LENGTHS))
    for k in range(K):
        dens = np.stack([START["weights_"][k, m] * stats.multivariate_normal(
            START["means_"][k, m], START["covars_"][k, m]).pdf(X) for m in range(M)], axis=1)
        w = gamma[:, k, None] * dens / dens.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(ours.weights_[k], w.sum(axis=0) / gamma[:, k].sum(),
                                   rtol=1e-10)
        for m in range(M):
            mean = w[:, m] @ X / w[:, m].sum()
            diff = X - START["means_"][k, m]
            np.testing.assert_allclose(ours.means_[k, m], mean, rtol=1e-10)
            np.testing.assert_allclose(ours.covars_[k, m],
                                       (w[:, m, None] * diff).T @ diff / w[:, m].sum(),
                                       rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_anatomy_holds_with_the_inner_entropy(X, covariance_type):
    model = _quiet(lambda: GMMHMM(K, 3, covariance_type=covariance_type, n_iter=15, tol=0,
                                  random_state=0).fit(X, LENGTHS))
    history = model.history_
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-10)
    assert np.all(history.column("kl_gap") >= -1e-9)
    assert model.covars_.shape == {"diag": (K, 3, D), "full": (K, 3, D, D),
                                   "spherical": (K, 3), "tied": (K, D, D)}[covariance_type]


def _mixture_hmm(covariance_type, n_mix, weights, means, covariances, **kw):
    """The generic HMM estimator with a MixtureEmission (exact EM), started by hand."""
    model = HMM(MixtureEmission(Gaussian(covariance_type, reg_covar=0.0), n_mix), K,
                init_params="", **kw)
    model.startprob_, model.transmat_ = START["startprob_"], START["transmat_"]
    model.emission_params_ = Tree(weights=weights, components=Tree(means=means,
                                                                   covariances=covariances))
    return model


def test_one_component_per_state_is_a_gaussian_hmm(X):
    mixture = _quiet(lambda: _mixture_hmm("diag", 1, np.ones((K, 1)), START["means_"][:, 0],
                                          np.ones((K, D)), n_iter=5, tol=0).fit(X, LENGTHS))
    gaussian = GaussianHMM(K, "diag", covars_prior=0.0, init_params="", n_iter=5, tol=0)
    gaussian.startprob_, gaussian.transmat_ = START["startprob_"], START["transmat_"]
    gaussian.means_, gaussian.covars_ = START["means_"][:, 0], np.ones((K, D))
    _quiet(lambda: gaussian.fit(X, LENGTHS))
    np.testing.assert_allclose(mixture.emission_params_.components.means, gaussian.means_,
                               rtol=1e-10)
    assert mixture.score(X, LENGTHS) == pytest.approx(gaussian.score(X, LENGTHS), rel=1e-12)


def test_weights_left_out_of_params_stay_fixed_and_sampling_works(X):
    model = _quiet(lambda: _set(GMMHMM(K, M, covariance_type="full", init_params="",
                                       params="stmc",
                                       random_state=3)).fit(X, LENGTHS))
    np.testing.assert_array_equal(model.weights_, START["weights_"])
    sample, states = model.sample(100)
    assert sample.shape == (100, D) and set(states) <= {0, 1}


def test_tied_is_one_covariance_per_state_and_other_types_are_rejected(X):
    model = _quiet(lambda: _set(GMMHMM(K, M, covariance_type="tied", init_params="",
                                       n_iter=3), covars_=np.tile(np.eye(D), (K, 1, 1)))
                   .fit(X, LENGTHS))
    assert model.covars_.shape == (K, D, D)
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        GMMHMM(K, M, covariance_type="banded").fit(X)


def test_one_state_is_a_gaussian_mixture_like_scikit_learn():
    """A one-state GMM-HMM is a Gaussian mixture: from the same start, the same fit."""
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(-2.0, 1.0, (150, 2)), rng.normal(2.0, 0.7, (150, 2))])
    weights, means = np.array([0.4, 0.6]), np.array([[-1.0, -1.0], [1.0, 1.0]])
    variances = np.ones((2, 2))
    reference = GaussianMixture(2, covariance_type="diag", max_iter=8, tol=0.0,
                                weights_init=weights, means_init=means,
                                precisions_init=1.0 / variances)
    with pytest.warns(UserWarning):  # scikit-learn's own ConvergenceWarning: 8 steps only
        reference.fit(X)
    # the generic HMM estimator: MixtureEmission's exact EM (GMMHMM keeps hmmlearn's update)
    ours = emkit.estimators.HMM(MixtureEmission(Gaussian("diag", reg_covar=1e-6), 2), 1,
                                n_iter=8, tol=-1.0, init_params="", params="e")
    ours.startprob_, ours.transmat_ = np.ones(1), np.ones((1, 1))
    ours.emission_params_ = Tree(weights=weights[None], components=Tree(
        means=means, covariances=variances))
    with pytest.warns(emkit.ConvergenceWarning):
        ours.fit(X)
    fitted = ours.emission_params_
    np.testing.assert_allclose(fitted.weights[0], reference.weights_, rtol=1e-8)
    np.testing.assert_allclose(fitted.components.means, reference.means_, rtol=1e-8)
    np.testing.assert_allclose(fitted.components.covariances, reference.covariances_,
                               rtol=1e-8)
    assert ours.score(X) == pytest.approx(reference.score(X) * len(X), rel=1e-10)
