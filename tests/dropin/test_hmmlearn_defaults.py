"""Drop-in parity with hmmlearn 0.3.3 from the same start, default arguments and every prior.

Both libraries get the same data, lengths and starting attributes; the only arguments set
are ``init_params=""`` and ``tol`` (negative: both run exactly ``n_iter=10`` iterations).
Everything else is each library's default, so hmmlearn's ``covars_prior=1e-2``,
``covars_weight=1``... are in force in both. Then the same with every prior argument set
to a non-default value. Parameters, ``score`` and ``monitor_.history`` must agree to 1e-8.
"""
import warnings

import numpy as np
import pytest

hmm = pytest.importorskip("hmmlearn.hmm")

import emkit  # noqa: E402

ATOL = 1e-8
LENGTHS = [180, 260, 160]
K = 3


def _gaussian_data():
    truth = hmm.GaussianHMM(K, "full", init_params="", random_state=0)
    truth.startprob_ = np.array([0.5, 0.3, 0.2])
    truth.transmat_ = np.array([[0.8, 0.15, 0.05], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]])
    truth.means_ = np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 3.0]])
    truth.covars_ = np.array([np.eye(2), [[1.0, 0.6], [0.6, 1.5]], 0.5 * np.eye(2)])
    return truth.sample(sum(LENGTHS), random_state=1)[0]


def _chain():
    return dict(startprob_=np.full(K, 1 / K), transmat_=0.5 * np.eye(K) + 0.5 / K)


GAUSSIAN_START = {
    "diag": np.array([[1.0, 1.0], [1.5, 0.7], [1.0, 2.0]]),
    "full": np.array([np.eye(2), [[2.0, 0.3], [0.3, 1.0]], np.eye(2)]),
    "spherical": np.array([1.0, 2.0, 0.5]),
    "tied": np.array([[1.5, 0.2], [0.2, 1.0]]),
}


def _fit_pair(reference, ours, start, X, lengths=LENGTHS):
    for name, value in start.items():
        setattr(reference, name, np.array(value, copy=True))
        setattr(ours, name, np.array(value, copy=True))
    reference.fit(X, lengths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hmmlearn's "not converging" log, emkit's warning
        ours.fit(X, lengths)
    assert ours.monitor_.iter == reference.monitor_.iter == 10
    np.testing.assert_allclose(ours.monitor_.history, list(reference.monitor_.history),
                               rtol=0, atol=ATOL)
    assert ours.score(X, lengths) == pytest.approx(reference.score(X, lengths), rel=0,
                                                    abs=ATOL)
    for name in start:
        np.testing.assert_allclose(getattr(ours, name), _reference_value(reference, name),
                                   rtol=0, atol=ATOL, err_msg=name)


def _reference_value(reference, name):
    """hmmlearn's fitted attribute. After an M-step hmmlearn holds spherical variances
    tiled to (K, D), and its ``covars_`` then returns (K * D, D, D) matrices: the variances
    themselves (``_covars_``) are compared instead, as full matrices."""
    if name == "covars_" and isinstance(reference, hmm.GaussianHMM) and \
            reference.covariance_type == "spherical":
        variances = reference._covars_
        assert np.allclose(variances, variances[:, :1])  # one variance per state
        return variances[:, 0, None, None] * np.eye(variances.shape[1])
    return getattr(reference, name)


def _gaussian_start(covariance_type):
    return dict(_chain(), means_=np.array([[0.5, 0.5], [2.0, 2.0], [-1.0, 2.0]]),
                covars_=GAUSSIAN_START[covariance_type])


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_gaussian_hmm_default_arguments(covariance_type):
    X = _gaussian_data()
    common = dict(init_params="", tol=-np.inf)
    _fit_pair(hmm.GaussianHMM(K, covariance_type, **common),
              emkit.GaussianHMM(K, covariance_type, **common),
              _gaussian_start(covariance_type), X)


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_gaussian_hmm_every_prior_set(covariance_type):
    X = _gaussian_data()
    priors = dict(startprob_prior=2.0, transmat_prior=1.5, means_prior=0.5, means_weight=3.0,
                  covars_prior=0.4, covars_weight=4.0, min_covar=1e-2)
    common = dict(init_params="", tol=-1.0, **priors)
    _fit_pair(hmm.GaussianHMM(K, covariance_type, **common),
              emkit.GaussianHMM(K, covariance_type, **common),
              _gaussian_start(covariance_type), X)


def _symbols():
    truth = hmm.CategoricalHMM(K, init_params="", random_state=0)
    truth.startprob_ = np.array([0.5, 0.3, 0.2])
    truth.transmat_ = np.array([[0.8, 0.15, 0.05], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]])
    truth.emissionprob_ = np.array([[0.6, 0.3, 0.05, 0.05], [0.1, 0.1, 0.4, 0.4],
                                    [0.25, 0.25, 0.25, 0.25]])
    return truth.sample(sum(LENGTHS), random_state=2)[0]


CATEGORICAL_START = dict(_chain(), emissionprob_=np.array(
    [[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]))


@pytest.mark.parametrize("priors", [{}, dict(startprob_prior=3.0, transmat_prior=2.0,
                                             emissionprob_prior=1.7)],
                         ids=["defaults", "every-prior"])
def test_categorical_hmm(priors):
    common = dict(init_params="", tol=-np.inf, **priors)
    _fit_pair(hmm.CategoricalHMM(K, **common), emkit.CategoricalHMM(K, **common),
              CATEGORICAL_START, _symbols())


def _counts():
    rng = np.random.RandomState(3)
    states = rng.randint(0, K, size=sum(LENGTHS))
    return rng.poisson(np.array([[1.0, 4.0], [6.0, 1.0], [12.0, 9.0]])[states])


def test_poisson_hmm_default_arguments():
    common = dict(init_params="", tol=-np.inf)
    _fit_pair(hmm.PoissonHMM(K, **common), emkit.PoissonHMM(K, **common),
              dict(_chain(), lambdas_=np.array([[0.5, 3.0], [5.0, 2.0], [10.0, 10.0]])),
              _counts())


def _multinomial_counts(n_trials=8):
    rng = np.random.RandomState(4)
    states = rng.randint(0, K, size=sum(LENGTHS))
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]])
    return np.array([rng.multinomial(n_trials, probs[s]) for s in states])


@pytest.mark.parametrize("priors", [{}, dict(startprob_prior=2.5, transmat_prior=1.2)],
                         ids=["defaults", "every-prior"])
def test_multinomial_hmm(priors):
    common = dict(n_trials=8, init_params="", tol=-np.inf, **priors)
    start = dict(_chain(), emissionprob_=np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5],
                                                   [0.3, 0.3, 0.4]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hmmlearn warns that MultinomialHMM changed in 0.3
        reference = hmm.MultinomialHMM(K, **common)
    _fit_pair(reference, emkit.MultinomialHMM(K, **common), start, _multinomial_counts())


GMM_COVARIANCES = {
    "diag": np.array([[[1.0, 1.0], [0.7, 1.3]], [[1.5, 0.7], [1.0, 1.0]],
                      [[1.0, 2.0], [0.6, 0.6]]]),
    "spherical": np.array([[1.0, 0.8], [1.5, 1.2], [0.7, 1.0]]),
    "full": np.array([[np.eye(2), [[1.2, 0.3], [0.3, 0.8]]],
                      [[[2.0, 0.3], [0.3, 1.0]], np.eye(2)],
                      [0.7 * np.eye(2), [[1.0, -0.2], [-0.2, 1.0]]]]),
    "tied": np.array([np.eye(2), [[2.0, 0.3], [0.3, 1.0]], [[1.0, -0.2], [-0.2, 0.7]]]),
}


def _gmm_start(covariance_type):
    return dict(_chain(), weights_=np.array([[0.5, 0.5], [0.3, 0.7], [0.6, 0.4]]),
                means_=np.array([[[0.5, 0.5], [-0.5, 0.0]], [[2.0, 2.0], [3.5, 2.5]],
                                 [[-1.0, 2.0], [-2.5, 3.5]]]),
                covars_=GMM_COVARIANCES[covariance_type])


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_gmm_hmm_default_arguments(covariance_type):
    common = dict(n_mix=2, covariance_type=covariance_type, init_params="", tol=-np.inf)
    _fit_pair(hmm.GMMHMM(K, **common), emkit.GMMHMM(K, **common),
              _gmm_start(covariance_type), _gaussian_data())


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_gmm_hmm_every_prior_set(covariance_type):
    d = 2
    covars_prior, covars_weight = {
        "full": (0.3 * np.eye(d), 1.0), "tied": (0.3 * np.eye(d), 2.0),
        "diag": (0.5, 0.2), "spherical": (0.5, 0.2)}[covariance_type]
    common = dict(n_mix=2, covariance_type=covariance_type, init_params="", tol=-np.inf,
                  startprob_prior=2.0, transmat_prior=1.5, weights_prior=1.8,
                  means_prior=0.5, means_weight=0.7, covars_prior=covars_prior,
                  covars_weight=covars_weight, min_covar=1e-2)
    _fit_pair(hmm.GMMHMM(K, **common), emkit.GMMHMM(K, **common),
              _gmm_start(covariance_type), _gaussian_data())
