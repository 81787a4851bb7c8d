"""The anatomy of EM: bound == evidence after every E-step, evidence never decreases.

Checked on many random data sets for every covariance type, and the evidence itself is
checked against an independent computation with scipy.stats.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp

import emkit
from conftest import COVARIANCE_TYPES, make_blobs


def _fit(X, covariance_type, n_components, seed, reg_covar=0.0, max_iter=15):
    model = emkit.Mixture(emkit.Gaussian(covariance_type, reg_covar=reg_covar), n_components,
                          init="random")
    return model, emkit.fit(model, X, random_state=seed, tol=0.0, max_iter=max_iter)


def _assert_anatomy(history):
    evidence, bound_e = history.column("evidence"), history.column("bound_e")
    scale = np.maximum(np.abs(evidence), 1.0)
    assert np.all(np.abs(bound_e - evidence) <= 1e-9 * scale), "bound != evidence after E"
    change = history.column("change")
    assert np.all(change >= -1e-9 * scale), "evidence decreased"
    assert np.all(history.column("bound_m") >= bound_e - 1e-9 * scale), "M-step lowered bound"
    assert np.all(history.column("kl_gap") >= -1e-9 * scale), "negative KL gap"


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), covariance_type=st.sampled_from(COVARIANCE_TYPES),
       n_components=st.integers(1, 4), n_features=st.integers(1, 4),
       reg_covar=st.sampled_from([0.0, 1e-6]))
def test_bound_equals_evidence_and_evidence_never_decreases(seed, covariance_type,
                                                            n_components, n_features, reg_covar):
    """With reg_covar=0 the M-step is exact; scikit-learn's default 1e-6 moves it off the
    maximum by O(reg_covar^2), far below rounding on data of unit scale."""
    X = make_blobs(n_per=40, n_features=n_features, n_components=3, seed=seed)
    _, result = _fit(X, covariance_type, n_components, seed, reg_covar=reg_covar)
    _assert_anatomy(result.history)


def test_a_regularisation_large_for_the_data_is_named_when_the_bound_falls():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(3, 2, (200, 2))]) * 2e-3
    with pytest.warns(emkit.NonMonotoneWarning, match=r"the M-step is regularised "
                      r"\(reg_covar=1e-06\).*scale the data or lower it"):
        emkit.GaussianMixture(3, random_state=0, max_iter=200).fit(X)


def _scipy_evidence(X, params, covariances):
    logs = [np.log(w) + stats.multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(params.weights, params.components.means, covariances)]
    return logsumexp(np.column_stack(logs), axis=1).sum()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_reported_evidence_is_the_evidence_of_the_returned_parameters(covariance_type):
    X = make_blobs(seed=2)
    model, result = _fit(X, covariance_type, 3, seed=0, reg_covar=1e-6, max_iter=7)
    covariances = model.component.full_covariances(result.params.components)
    expected = _scipy_evidence(X, result.params, covariances)
    assert result.log_likelihood == pytest.approx(expected, rel=1e-11)
    last = result.history[-1]
    assert last.evidence + last.change == pytest.approx(expected, rel=1e-11)


def test_first_evidence_is_the_evidence_of_the_start():
    X = make_blobs(seed=4)
    model = emkit.Mixture(emkit.Gaussian("full"), 3)
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    result = emkit.engine.fit(model, X, init=start, max_iter=2, tol=0)
    covariances = model.component.full_covariances(start.components)
    assert result.history[0].evidence == pytest.approx(
        _scipy_evidence(X, start, covariances), rel=1e-11)


def test_estimator_lower_bound_is_the_score_of_its_parameters():
    X = emkit.datasets.load_old_faithful()
    fitted = emkit.GaussianMixture(2, random_state=0).fit(X)
    assert fitted.lower_bound_ == pytest.approx(fitted.score(X), rel=1e-13)
