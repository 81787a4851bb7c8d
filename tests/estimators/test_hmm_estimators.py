"""The hmmlearn-style facades: inputs, decoding, sampling, criteria, hand-set models, errors."""
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from emkit import Gaussian
from emkit.estimators import HMM, CategoricalHMM, GaussianHMM, PoissonHMM

hmm = pytest.importorskip("hmmlearn.hmm")

STARTPROB = np.array([0.6, 0.3, 0.1])
TRANSMAT = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
MEANS = np.array([[0.0, 0.0], [4.0, 4.0], [-4.0, 4.0]])
COVARS = np.array([[1.0, 0.5], [1.0, 1.0], [0.5, 2.0]])


def _hand_set(model):
    model.startprob_, model.transmat_ = STARTPROB.copy(), TRANSMAT.copy()
    model.means_, model.covars_ = MEANS.copy(), COVARS.copy()
    return model


@pytest.fixture(scope="module")
def data():
    X, states = _hand_set(hmm.GaussianHMM(3, "diag", init_params="")).sample(
        600, random_state=0)
    return X, np.array([200, 250, 150]), states


def _quiet_fit(model, X, lengths=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, lengths)


def test_hand_set_model_scores_decodes_and_counts_parameters_like_hmmlearn(data):
    X, lengths, _ = data
    ours, reference = _hand_set(GaussianHMM(3)), _hand_set(hmm.GaussianHMM(3))
    assert ours.score(X, lengths) == pytest.approx(reference.score(X, lengths), rel=1e-12)
    log_prob, posteriors = ours.score_samples(X, lengths)
    np.testing.assert_allclose(posteriors, reference.predict_proba(X, lengths), atol=1e-10)
    ours_log, ours_states = ours.decode(X, lengths)
    ref_log, ref_states = reference.decode(X, lengths)
    assert ours_log == pytest.approx(ref_log, rel=1e-12)
    np.testing.assert_array_equal(ours_states, ref_states)
    assert ours.bic(X, lengths) == pytest.approx(reference.bic(X, lengths), rel=1e-12)
    assert ours.aic(X, lengths) == pytest.approx(reference.aic(X, lengths), rel=1e-12)


def test_map_decoding_takes_the_best_state_of_each_row(data):
    X, lengths, _ = data
    model = _hand_set(GaussianHMM(3, algorithm="map"))
    posteriors = model.predict_proba(X, lengths)
    log_prob, states = model.decode(X, lengths)
    np.testing.assert_array_equal(model.predict(X, lengths), posteriors.argmax(axis=1))
    # issue 11: hmmlearn's value, the sum of the best posteriors (not of their logs)
    assert log_prob == pytest.approx(posteriors.max(axis=1).sum())


def test_list_of_sequences_equals_stacked_rows_with_lengths(data):
    X, lengths, _ = data
    pieces = np.split(X, np.cumsum(lengths)[:-1])
    stacked = _quiet_fit(GaussianHMM(3, random_state=0), X, lengths)
    listed = _quiet_fit(GaussianHMM(3, random_state=0), pieces)
    np.testing.assert_array_equal(listed.transmat_, stacked.transmat_)
    assert listed.score(pieces) == stacked.score(X, lengths)


def test_fit_recovers_the_generating_model_and_reports_convergence(data):
    X, lengths, states = data
    # issue 11: the default start is now hmmlearn's, from which this seed creeps to a poor
    # optimum (hmmlearn's too): emkit's restarts find the generating model
    model = _quiet_fit(GaussianHMM(3, n_iter=200, tol=1e-4, random_state=0, n_init=4), X,
                       lengths)
    assert model.converged_
    # hmmlearn's rule (issue 11): stop one step after a log-likelihood gain below tol
    gains = np.diff(model.monitor_.history)
    assert gains[-1] < 1e-4 <= gains[-2]
    order, true_order = np.argsort(model.means_[:, 0]), np.argsort(MEANS[:, 0])
    np.testing.assert_allclose(model.means_[order], MEANS[true_order], atol=0.3)
    to_true = np.empty(3, dtype=int)
    to_true[order] = true_order  # states are identified only up to relabelling
    assert np.mean(to_true[model.predict(X, lengths)] == states) > 0.95


def test_sampling_is_reproducible_and_respects_currstate():
    model = _hand_set(GaussianHMM(3, random_state=4))
    X, states = model.sample(50)
    again, same_states = model.sample(50)
    np.testing.assert_array_equal(X, again)
    assert X.shape == (50, 2) and states.shape == (50,)
    _, from_two = model.sample(20, random_state=1, currstate=2)
    assert from_two[0] == 2


def test_generic_estimator_takes_any_component(data):
    X, lengths, _ = data
    generic = hmm.GaussianHMM(3, "full", init_params="")
    generic.startprob_, generic.transmat_, generic.means_ = STARTPROB, TRANSMAT, MEANS
    generic.covars_ = covariances = np.array([np.diag(c) for c in COVARS])
    ours = HMM(emission=Gaussian("full"), n_components=3, params="e", init_params="")
    ours.startprob_, ours.transmat_ = generic.startprob_, generic.transmat_
    from emkit import Tree

    ours.emission_params_ = Tree(means=MEANS, covariances=covariances)
    assert ours.score(X, lengths) == pytest.approx(generic.score(X, lengths), rel=1e-12)
    _quiet_fit(ours, X, lengths)
    np.testing.assert_array_equal(ours.transmat_, generic.transmat_)  # "t" not in params
    assert ours.emission_params_.means.shape == (3, 2)


def test_clone_keeps_hyper_parameters_only():
    model = _hand_set(GaussianHMM(4, "full", n_iter=3, fixed={"transmat"}))
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "startprob_")


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lengths, message", [
    ([200, 250, 100], "must sum to the number of rows"),
    ([300, 300, 0], "must be positive"),
    ([700, -100], "must be positive"),
])
def test_bad_lengths_are_rejected(data, lengths, message):
    X, _, _ = data
    with pytest.raises(ValueError, match=message):
        GaussianHMM(3).fit(X, lengths)
    with pytest.raises(ValueError, match=message):
        _hand_set(GaussianHMM(3)).score(X, lengths)


@pytest.mark.parametrize("attribute, value, message", [
    ("transmat_", TRANSMAT * 0.9, r"transmat_ must be simplex, but .* vector \[0\] sums to"),
    ("transmat_", np.array([[1.1, -0.1, 0.0], [0, 1, 0], [0, 0, 1]]),
     r"transmat_ must be simplex, but entry \[0, 1\] is -0.1, and probabilities are >= 0"),
    ("startprob_", np.array([0.5, 0.5]), r"startprob_ must have shape \(3,\)"),
    ("startprob_", np.array([1.2, -0.2, 0.0]), r"startprob_ must be simplex, but entry \[1\]"),
    ("covars_", -COVARS, "covars_ must be positive"),
])
def test_bad_starting_parameters_are_rejected(data, attribute, value, message):
    X, lengths, _ = data
    model = _hand_set(GaussianHMM(3, init_params=""))
    setattr(model, attribute, value)
    with pytest.raises(ValueError, match=message):
        model.fit(X, lengths)
    with pytest.raises(ValueError, match=message):
        model.score(X, lengths)


@pytest.mark.parametrize("arguments, message", [
    (dict(params="stmx"), r"params='stmx' contains unknown code\(s\) \['x'\]"),
    (dict(init_params=3), "init_params must be a string"),
    (dict(transmat_prior=0.5), "transmat_prior must be"),
    (dict(algorithm="forward"), "algorithm must be one of"),
    (dict(fixed={"transmatrix"}), "unknown parameter name 'transmatrix'"),
])
def test_bad_hyper_parameters_are_rejected(data, arguments, message):
    X, lengths, _ = data
    with pytest.raises(ValueError, match=message):
        GaussianHMM(3, **arguments).fit(X, lengths)


def test_failed_fit_leaves_the_earlier_model_untouched(data):
    X, lengths, _ = data
    model = _quiet_fit(GaussianHMM(3, random_state=0), X, lengths)
    before = model.transmat_.copy()
    with pytest.raises(ValueError):
        model.fit(X, [1, 2, 3])
    np.testing.assert_array_equal(model.transmat_, before)


@pytest.mark.parametrize("symbols, message", [
    ([[0], [1], [4]], r"value 4.0 at row 2; a Categorical component needs integer codes 0..2"),
    ([[0], [-1], [2]], r"value -1.0 at row 1"),
    ([[0], [1.5], [2]], r"value 1.5 at row 1"),
    ([[0, 1], [1, 0], [2, 2]], r"one column of integer symbols"),
])
def test_categorical_symbols_out_of_range_are_rejected(symbols, message):
    model = CategoricalHMM(2, n_features=3)
    with pytest.raises(ValueError, match=message):
        model.fit(np.array(symbols, dtype=float))
    model.startprob_, model.transmat_ = np.array([0.5, 0.5]), np.full((2, 2), 0.5)
    model.emissionprob_ = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match=message):
        model.score(np.array(symbols, dtype=float))


def test_categorical_emission_rows_must_sum_to_one():
    model = CategoricalHMM(2, init_params="st")
    model.emissionprob_ = np.array([[0.5, 0.4, 0.2], [0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match=r"emissionprob_ must be simplex, but .* vector \[0\] sums to"):
        model.fit(np.array([[0], [1], [2], [1]]))


def test_poisson_counts_must_be_non_negative_integers():
    with pytest.raises(ValueError, match="non-negative integer counts"):
        PoissonHMM(2).fit(np.array([[1.0], [2.0], [-3.0]]))


def test_categorical_hmm_from_its_default_start_recovers_the_emissions():
    truth = hmm.CategoricalHMM(3, init_params="")
    truth.startprob_ = np.array([0.5, 0.3, 0.2])
    truth.transmat_ = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    truth.emissionprob_ = np.array([[0.7, 0.2, 0.05, 0.05], [0.1, 0.6, 0.2, 0.1],
                                    [0.05, 0.05, 0.3, 0.6]])
    X, _ = truth.sample(3000, random_state=0)
    # issue 11: the default start is hmmlearn's (random emission rows), from which one start
    # can stall in a poor optimum, as hmmlearn's does: emkit's restarts find the MLE
    model = _quiet_fit(CategoricalHMM(3, n_iter=200, random_state=0, n_init=4), X)
    order = np.argmax(model.emissionprob_, axis=1).argsort()
    np.testing.assert_allclose(model.emissionprob_[order], truth.emissionprob_, atol=0.1)
    assert model.score(X) >= truth.score(X)  # the MLE beats the generating parameters
