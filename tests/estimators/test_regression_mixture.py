"""emkit.RegressionMixture (issue 9): its attributes, predictions and scores against formulas
written from scipy.stats, Dask and model files, and its errors on bad input."""
import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp, softmax

import emkit
from emkit import persist
from emkit import RegressionMixture
from emkit.exceptions import DataError


def _lines(n=800, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 2))
    z = rng.random(n) < 0.4
    y = np.where(z, 1 + 2 * X[:, 0] - X[:, 1], -1 - X[:, 0] + 0.5 * X[:, 1])
    return X, y + 0.3 * rng.normal(size=n)


@pytest.fixture(scope="module")
def fitted():
    X, y = _lines()
    return RegressionMixture(2, gate="logit", random_state=0, tol=1e-8).fit(X, y), X, y


def _joint_table(model, X, y):
    """log P(k | x) + log N(y | x . beta_k, variance_k), (n, K), from the attributes."""
    gate = X @ model.gate_coef_.T + model.gate_intercept_
    mean = X @ model.coef_.T + model.intercept_
    return np.log(softmax(gate, axis=1)) + stats.norm.logpdf(y[:, None], mean,
                                                             np.sqrt(model.variance_))


def test_scores_and_posteriors_are_the_mixture_formulas(fitted):
    model, X, y = fitted
    table = _joint_table(model, X, y)
    np.testing.assert_allclose(model.score_samples(X, y), logsumexp(table, axis=1), rtol=1e-12)
    assert model.score(X, y) == pytest.approx(np.mean(logsumexp(table, axis=1)), rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(X, y), softmax(table, axis=1), atol=1e-12)
    mean = X @ model.coef_.T + model.intercept_
    gate = softmax(X @ model.gate_coef_.T + model.gate_intercept_, axis=1)
    np.testing.assert_allclose(model.predict(X), np.sum(gate * mean, axis=1), rtol=1e-12)
    np.testing.assert_allclose(model.gate_proba(X), gate, rtol=1e-12)
    n_params = 2 * 3 + 2 + 3  # coefficients, variances, one free gate row
    assert model.bic(X, y) == pytest.approx(-2 * np.sum(logsumexp(table, axis=1))
                                            + n_params * np.log(len(X)), rel=1e-12)


def test_samples_follow_the_fitted_mixture(fitted):
    model, X, _ = fitted
    rows = np.repeat(X[:3], 4000, axis=0)
    y, labels = model.sample(rows, random_state=0)
    for i in range(3):
        chunk = slice(4000 * i, 4000 * (i + 1))
        assert np.mean(y[chunk]) == pytest.approx(model.predict(X[i:i + 1])[0], abs=0.1)
        gate = model.gate_proba(X[i:i + 1])[0]
        assert np.mean(labels[chunk] == 1) == pytest.approx(gate[1], abs=0.03)


def test_the_fit_recovers_the_planes():
    X, y = _lines(n=4000, seed=2)
    model = RegressionMixture(2, random_state=0).fit(X, y)
    order = np.argsort(model.intercept_)
    np.testing.assert_allclose(model.intercept_[order], [-1, 1], atol=0.05)
    np.testing.assert_allclose(model.coef_[order], [[-1, 0.5], [2, -1]], atol=0.05)
    np.testing.assert_allclose(model.weights_[order], [0.6, 0.4], atol=0.03)


def test_a_dask_fit_equals_the_in_memory_fit():
    da = pytest.importorskip("dask.array")
    X, y = _lines(n=2000, seed=4)
    in_memory = RegressionMixture(2, random_state=0, tol=1e-10).fit(X, y)
    on_dask = RegressionMixture(2, random_state=0, tol=1e-10).fit(
        da.from_array(X, chunks=(500, -1)), da.from_array(y, chunks=500))
    np.testing.assert_allclose(on_dask.coef_, in_memory.coef_, rtol=1e-10)
    np.testing.assert_allclose(on_dask.variance_, in_memory.variance_, rtol=1e-10)


def test_a_model_file_round_trips(tmp_path, fitted):
    model, X, y = fitted
    persist.save(model, tmp_path / "regression")
    loaded = persist.load(tmp_path / "regression")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.score_samples(X, y), model.score_samples(X, y))


def test_poisson_experts_predict_the_mixture_rate():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (1500, 1))
    z = rng.random(1500) < 0.5
    y = rng.poisson(np.exp(np.where(z, 1 + X[:, 0], 2.5 - X[:, 0]))).astype(float)
    model = RegressionMixture(2, family="poisson", random_state=0, tol=1e-8).fit(X, y)
    rates = np.exp(X @ model.coef_.T + model.intercept_)
    np.testing.assert_allclose(model.predict(X), rates @ model.weights_, rtol=1e-12)
    np.testing.assert_allclose(np.sort(model.intercept_), [1, 2.5], atol=0.1)


# -- bad input ---------------------------------------------------------------------------------
def test_y_of_the_wrong_length_is_an_error():
    X, y = _lines(n=100)
    with pytest.raises(ValueError, match=r"y must have one entry per row of X \(100\)"):
        RegressionMixture(2).fit(X, y[:-1])


def test_a_missing_response_is_an_error():
    X, _ = _lines(n=100)
    with pytest.raises(ValueError, match="y is missing"):
        RegressionMixture(2).fit(X)


@pytest.mark.parametrize("family, bad, expected", [
    ("logistic", 2.0, "a response of 0 or 1"),
    ("poisson", -1.0, "a non-negative integer response"),
    ("poisson", 1.5, "a non-negative integer response"),
])
def test_a_response_outside_the_family_support_names_y(family, bad, expected):
    X, _ = _lines(n=100)
    y = np.zeros(100)
    y[7] = bad
    with pytest.raises(DataError, match=rf"y column 0 has value .* at row 7; .*{expected}"):
        RegressionMixture(2, family=family).fit(X, y)


def test_infinite_values_are_errors():
    X, y = _lines(n=100)
    X[3, 1] = np.inf
    with pytest.raises(DataError, match="X column 1 has infinity at row 3"):
        RegressionMixture(2).fit(X, y)
    X, y = _lines(n=100)
    y[5] = np.nan
    with pytest.raises(DataError, match="y column 0 has NaN at row 5"):
        RegressionMixture(2).fit(X, y)


@pytest.mark.parametrize("argument, value, match", [
    ("family", "gamma", "family must be one of"),
    ("gate", "softmax", "gate must be one of"),
    ("reg_variance", -1.0, "reg_variance must be a finite number >= 0"),
])
def test_bad_hyper_parameters_are_named(argument, value, match):
    X, y = _lines(n=100)
    with pytest.raises(ValueError, match=match):
        RegressionMixture(2, **{argument: value}).fit(X, y)
