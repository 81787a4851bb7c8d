"""The HMM estimators against hmmlearn from the same start: 10 iterations, equal to 1e-8.

Both libraries are given the same data, lengths and starting parameters (hmmlearn with
``init_params=""``, emkit with its attributes set the same way) and run exactly 10 EM
iterations (no tolerance stop). hmmlearn's covariance prior is switched off
(``covars_prior=0``) and emkit's ``reg_covar`` is 0, so both compute the plain MLE.
"""
import warnings

import numpy as np
import pytest
from scipy import stats

hmm = pytest.importorskip("hmmlearn.hmm")

from emkit.estimators import CategoricalHMM, GaussianHMM, PoissonHMM  # noqa: E402

N_STATES, N_FEATURES, ATOL = 3, 2, 1e-8
LENGTHS = [250, 400, 350]


def _chain(zeros=False):
    transmat = np.array([[0.8, 0.15, 0.05], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]])
    if zeros:  # left-right: no way back
        transmat = np.array([[0.9, 0.1, 0.0], [0.0, 0.8, 0.2], [0.0, 0.0, 1.0]])
        return np.array([1.0, 0.0, 0.0]), transmat
    return np.array([0.5, 0.3, 0.2]), transmat


def _gaussian_data(zeros=False):
    truth = hmm.GaussianHMM(N_STATES, "full", init_params="", random_state=0)
    truth.startprob_, truth.transmat_ = _chain(zeros)
    truth.means_ = np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 3.0]])
    truth.covars_ = np.array([np.eye(2), [[1.0, 0.6], [0.6, 1.5]], 0.5 * np.eye(2)])
    if zeros:
        parts = [truth.sample(n, random_state=i, currstate=0)[0] for i, n in enumerate(LENGTHS)]
        return np.concatenate(parts)
    return truth.sample(sum(LENGTHS), random_state=1)[0]


START_COVARIANCES = {
    "diag": np.ones((N_STATES, N_FEATURES)),
    "full": np.array([np.eye(N_FEATURES), [[2.0, 0.3], [0.3, 1.0]], np.eye(N_FEATURES)]),
    "spherical": np.array([1.0, 2.0, 0.5]),
    "tied": np.array([[1.5, 0.2], [0.2, 1.0]]),
}


def _gaussian_pair(covariance_type, zeros=False, params="stmc", priors=(1.0, 1.0)):
    startprob, transmat = _chain(zeros)
    if not zeros:
        startprob, transmat = np.full(3, 1 / 3), 0.5 * np.eye(3) + 0.5 / 3
    start = dict(startprob_=startprob, transmat_=transmat,
                 means_=np.array([[0.5, 0.5], [2.0, 2.0], [-1.0, 2.0]]),
                 covars_=START_COVARIANCES[covariance_type])
    reference = hmm.GaussianHMM(
        N_STATES, covariance_type, startprob_prior=priors[0], transmat_prior=priors[1],
        covars_prior=0.0, covars_weight=0.0, n_iter=10, tol=-np.inf, params=params,
        init_params="")
    ours = GaussianHMM(N_STATES, covariance_type, covars_prior=0.0, covars_weight=0.0,
                       reg_covar=0.0, startprob_prior=priors[0],
                       transmat_prior=priors[1], n_iter=10, tol=0.0, params=params,
                       init_params="")
    for name, value in start.items():
        setattr(reference, name, value.copy())
        setattr(ours, name, value.copy())
    return reference, ours


def _fit_both(reference, ours, X, *, prior=False):
    reference.fit(X, LENGTHS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 10 iterations do not converge: a ConvergenceWarning
        ours.fit(X, LENGTHS)
    assert ours.n_iter_ == 10
    if not prior:  # with a prior emkit's history holds the log-posterior
        np.testing.assert_allclose(ours.monitor_.history, list(reference.monitor_.history),
                                   rtol=0, atol=ATOL)
    assert ours.score(X, LENGTHS) == pytest.approx(reference.score(X, LENGTHS), abs=ATOL)
    np.testing.assert_allclose(ours.startprob_, reference.startprob_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(ours.transmat_, reference.transmat_, rtol=0, atol=ATOL)


def _hmmlearn_covariances(reference, covariance_type):
    if covariance_type == "spherical":  # hmmlearn's covars_ getter mis-shapes this type
        return reference._covars_[:, :1, None] * np.eye(N_FEATURES)
    return reference.covars_


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_gaussian_hmm_equals_hmmlearn_after_ten_iterations(covariance_type):
    reference, ours = _gaussian_pair(covariance_type)
    _fit_both(reference, ours, _gaussian_data())
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=ATOL)
    np.testing.assert_allclose(ours.covars_, _hmmlearn_covariances(reference, covariance_type),
                               rtol=0, atol=ATOL)


def test_left_right_zeros_match_hmmlearn_and_stay_zero():
    reference, ours = _gaussian_pair("full", zeros=True)
    _fit_both(reference, ours, _gaussian_data(zeros=True))
    assert np.all(ours.transmat_[np.tril_indices(3, -1)] == 0.0)
    assert np.all(ours.startprob_[1:] == 0.0)


def test_dirichlet_priors_match_hmmlearn():
    transmat_prior = np.array([[3.0, 1.0, 1.0], [1.0, 3.0, 1.0], [1.5, 1.5, 4.0]])
    reference, ours = _gaussian_pair("diag", priors=(2.0, transmat_prior))
    X = _gaussian_data()
    _fit_both(reference, ours, X, prior=True)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=ATOL)
    log_prior = stats.dirichlet(np.full(3, 2.0)).logpdf(ours.startprob_) + sum(
        stats.dirichlet(alpha).logpdf(row) for alpha, row in zip(transmat_prior, ours.transmat_))
    assert ours.history_.objective_name == "log-posterior"
    assert ours.result_.objective == pytest.approx(reference.score(X, LENGTHS) + log_prior,
                                                   abs=ATOL)


def test_parameters_left_out_of_params_stay_fixed_as_in_hmmlearn():
    reference, ours = _gaussian_pair("diag", params="mc")
    start_transmat = ours.transmat_.copy()
    _fit_both(reference, ours, _gaussian_data())
    np.testing.assert_array_equal(ours.transmat_, start_transmat)
    np.testing.assert_allclose(ours.means_, reference.means_, rtol=0, atol=ATOL)


def _discrete_pair(reference_class, our_class, emission_name, truth, start, **priors):
    """Data drawn from ``truth`` and both models set to the same start."""
    chain = _chain()
    generator = reference_class(N_STATES, init_params="")
    generator.startprob_, generator.transmat_ = chain
    setattr(generator, emission_name, truth)
    X = generator.sample(sum(LENGTHS), random_state=2)[0]
    reference = reference_class(N_STATES, n_iter=10, tol=-np.inf, init_params="", **priors)
    ours = our_class(N_STATES, n_iter=10, tol=0.0, init_params="", **priors)
    for model in (reference, ours):
        model.startprob_, model.transmat_ = np.full(3, 1 / 3), 0.5 * np.eye(3) + 0.5 / 3
        setattr(model, emission_name, start.copy())
    return reference, ours, X


@pytest.mark.parametrize("prior", [1.0, 2.5], ids=["mle", "dirichlet-prior"])
def test_categorical_hmm_equals_hmmlearn_after_ten_iterations(prior):
    truth = np.array([[0.7, 0.2, 0.05, 0.05], [0.1, 0.6, 0.2, 0.1], [0.05, 0.05, 0.3, 0.6]])
    start = np.array([[0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]])
    reference, ours, X = _discrete_pair(hmm.CategoricalHMM, CategoricalHMM, "emissionprob_",
                                        truth, start, emissionprob_prior=prior)
    _fit_both(reference, ours, X, prior=prior != 1.0)
    np.testing.assert_allclose(ours.emissionprob_, reference.emissionprob_, rtol=0, atol=ATOL)


def _poisson_pair(**priors):
    truth = np.array([[1.0, 5.0], [4.0, 2.0], [10.0, 10.0]])
    start = np.array([[2.0, 2.0], [3.0, 3.0], [6.0, 6.0]])
    return _discrete_pair(hmm.PoissonHMM, PoissonHMM, "lambdas_", truth, start, **priors)


def test_poisson_hmm_equals_hmmlearn_after_ten_iterations():
    reference, ours, X = _poisson_pair()
    _fit_both(reference, ours, X)
    np.testing.assert_allclose(ours.lambdas_, reference.lambdas_, rtol=0, atol=ATOL)


def test_poisson_rate_prior_is_the_per_state_gamma_posterior_mode():
    # hmmlearn 0.3's own update divides by the count of all states together, so the
    # reference here is the conjugate formula applied to hmmlearn's state posteriors
    reference, ours, X = _poisson_pair()
    posteriors = reference.predict_proba(X, LENGTHS)
    ours.set_params(n_iter=1, lambdas_prior=2.0, lambdas_weight=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.fit(X, LENGTHS)
    expected = (2.0 + posteriors.T @ X) / (0.5 + posteriors.sum(axis=0)[:, None])
    np.testing.assert_allclose(ours.lambdas_, expected, rtol=1e-12)
