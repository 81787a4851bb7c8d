"""The fitted attributes are the single source of truth, as in scikit-learn (issue 8).

Every estimator reads its parameters from its fitted attributes each time it is used, so
setting one changes ``score``. Where a reference library exists, the score after the change
equals the reference's with the same attributes set.
"""
import numpy as np
import pytest
from hmmlearn import hmm
from sklearn import mixture

import emkit
from emkit.estimators import HMM as HMMEstimator
from conftest import make_blobs

RNG = np.random.default_rng(0)
BLOBS = make_blobs(n_per=80, n_features=2, n_components=2, seed=3)
COUNTS = RNG.poisson([[2.0, 5.0]], size=(160, 2)).astype(float)
BINARY = (RNG.uniform(size=(160, 3)) < 0.3).astype(float)
CODES = RNG.integers(0, 3, size=(160, 2)).astype(float)
SYMBOLS = RNG.integers(0, 3, size=(160, 1)).astype(float)


def _score(estimator, X):
    score = estimator.score(X)
    return float(score if np.ndim(score) == 0 else np.sum(score))


CASES = [  # (estimator, data, attribute to change, how)
    (emkit.GaussianMixture(2, random_state=0), BLOBS, "means_", lambda v: v + 1.0),
    (emkit.GaussianMixture(2, random_state=0), BLOBS, "covariances_", lambda v: 2.0 * v),
    (emkit.GaussianMixture(2, random_state=0), BLOBS, "weights_", lambda v: np.array([0.95, 0.05])),
    (emkit.MixtureModel(emkit.Gaussian("diag"), 2, random_state=0), BLOBS, "means_",
     lambda v: v - 2.0),
    (emkit.PoissonMixture(2, random_state=0), COUNTS, "rates_", lambda v: 2.0 * v),
    (emkit.BernoulliMixture(2, random_state=0), BINARY, "probs_", lambda v: 1.0 - v),
    (emkit.BinomialMixture(2, n_trials=1, random_state=0), BINARY, "probs_",
     lambda v: 0.5 + 0.0 * v),
    (emkit.CategoricalMixture(2, n_categories=3, random_state=0), CODES, "probs_",
     lambda v: np.full_like(v, 1 / 3)),
    (emkit.StudentTMixture(2, random_state=0), BLOBS, "dofs_", lambda v: v + 5.0),
    (emkit.Estimator(emkit.Mixture(emkit.Poisson(), 2), random_state=0), COUNTS, "params_",
     lambda v: v.replace(components=v.components.replace(rates=v.components.rates + 1.0))),
    (emkit.GaussianHMM(2, random_state=0), BLOBS, "means_", lambda v: v + 1.0),
    (emkit.GaussianHMM(2, random_state=0), BLOBS, "transmat_", lambda v: v[::-1].copy()),
    (emkit.PoissonHMM(2, random_state=0), COUNTS, "lambdas_", lambda v: 2.0 * v),
    (emkit.CategoricalHMM(2, random_state=0), SYMBOLS, "emissionprob_",
     lambda v: np.full_like(v, 1 / 3)),
    (emkit.GMMHMM(2, n_mix=2, random_state=0), BLOBS, "means_", lambda v: v + 1.0),
    (HMMEstimator(emkit.Poisson(), 2, random_state=0), COUNTS, "emission_params_",
     lambda v: v.replace(rates=v.rates * 3.0)),
]


@pytest.mark.parametrize("estimator, X, attribute, change", CASES,
                         ids=[f"{type(c[0]).__name__}-{c[2]}" for c in CASES])
def test_setting_a_fitted_attribute_changes_score(estimator, X, attribute, change):
    estimator.fit(X)
    before = _score(estimator, X)
    setattr(estimator, attribute, change(getattr(estimator, attribute)))
    after = _score(estimator, X)
    assert np.isfinite(after) and after != pytest.approx(before, rel=1e-6)


def test_an_in_place_change_counts_too_and_matches_scikit_learn():
    ours = emkit.GaussianMixture(2, random_state=0).fit(BLOBS)
    reference = mixture.GaussianMixture(2, random_state=0).fit(BLOBS)
    for fitted in (ours, reference):
        fitted.means_ += 5.0
    reference.weights_, reference.means_ = ours.weights_, ours.means_
    reference.precisions_cholesky_ = ours.precisions_cholesky_
    assert ours.score(BLOBS) == pytest.approx(reference.score(BLOBS), rel=1e-12)


def test_setting_the_precision_factors_sets_the_covariances():
    ours = emkit.GaussianMixture(2, covariance_type="full", random_state=0).fit(BLOBS)
    reference = mixture.GaussianMixture(2, random_state=0).fit(BLOBS)
    ours.precisions_cholesky_ = reference.precisions_cholesky_
    ours.weights_, ours.means_ = reference.weights_, reference.means_
    np.testing.assert_allclose(ours.covariances_, reference.covariances_, rtol=1e-10)
    assert ours.score(BLOBS) == pytest.approx(reference.score(BLOBS), rel=1e-12)


def test_a_changed_hmm_scores_like_hmmlearn_with_the_same_attributes():
    ours = emkit.GaussianHMM(2, covariance_type="full", random_state=0).fit(BLOBS)
    ours.means_ = ours.means_ + 0.5
    reference = hmm.GaussianHMM(2, covariance_type="full")
    reference.startprob_, reference.transmat_ = ours.startprob_, ours.transmat_
    reference.means_, reference.covars_ = ours.means_, ours.covars_
    assert ours.score(BLOBS) == pytest.approx(reference.score(BLOBS), rel=1e-12)


def test_result_follows_the_attributes():
    ours = emkit.GaussianMixture(2, random_state=0).fit(BLOBS)
    ours.means_ = ours.means_ + 1.0
    np.testing.assert_array_equal(ours.result_.params.components.means, ours.means_)
    np.testing.assert_array_equal(ours.params_.components.means, ours.means_)


def test_the_parts_of_a_composite_component_are_set_through_components_():
    model = emkit.MixtureModel([emkit.Gaussian(), emkit.Gaussian("diag")], 2,
                               random_state=0).fit(BLOBS)
    before = model.score(BLOBS)
    parts = model.components_
    model.components_ = parts.replace(c1=parts.c1.replace(means=parts.c1.means + 3.0))
    assert model.score(BLOBS) < before
    np.testing.assert_array_equal(model.params_.components.c1.means, parts.c1.means + 3.0)
