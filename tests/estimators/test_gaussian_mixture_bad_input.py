"""Bad input gets a ValueError naming the argument, what was expected, what was got and a remedy.

A failed fit must leave the user's data and an earlier fitted model untouched.
"""
import numpy as np
import pytest

import emkit

X_GOOD = np.random.RandomState(0).randn(50, 2)


def _fit(X=X_GOOD, **kwargs):
    return emkit.GaussianMixture(**kwargs).fit(X)


@pytest.mark.parametrize("bad, message", [
    (np.inf, r"X column 1 has infinity at row 3"),
    (-np.inf, r"X column 1 has infinity at row 3"),
])
def test_non_finite_values(bad, message):
    X = X_GOOD.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=message):
        _fit(X)


@pytest.mark.parametrize("X, message", [
    (np.empty((0, 2)), r"X has 0 sample\(s\).*minimum of 1 is required"),
    (np.empty((5, 0)), r"X has 0 feature\(s\)"),
    (np.arange(5.0), r"X must be 2-D.*got a 1-D array of shape \(5,\).*reshape\(-1, 1\)"),
    (np.array([["a", "b"], ["c", "d"]]), r"X must be numeric; got an array of dtype <U1.*Encode"),
])
def test_malformed_X(X, message):
    with pytest.raises(ValueError, match=message):
        _fit(X)


@pytest.mark.parametrize("n_components, message", [
    (0, r"n_components must be an integer >= 1; got 0"),
    (51, r"n_components=51 must be <= n_samples.*n_samples = 50.*Reduce n_components"),
    (2.5, r"n_components must be an integer >= 1; got 2.5"),
])
def test_bad_n_components(n_components, message):
    with pytest.raises(ValueError, match=message):
        _fit(n_components=n_components)


def test_negative_tol():
    with pytest.raises(ValueError, match=r"tol must be a non-negative number; got -0.1"):
        _fit(tol=-0.1)


def test_unknown_covariance_type():
    with pytest.raises(ValueError, match=r"covariance_type must be one of \['diag', 'full', "
                                         r"'spherical', 'tied'\]; got 'ful'"):
        _fit(covariance_type="ful")


@pytest.mark.parametrize("kwargs, message", [
    (dict(weights_init=[0.5, 0.5, 0.0]), r"weights_init must have shape \(2,\); got \(3,\)"),
    (dict(weights_init=[0.7, 0.7]), r"weights_init must be simplex, but it sums to 1.4, not 1"),
    (dict(means_init=np.zeros((3, 2))), r"means_init must have shape \(2, 2\); got \(3, 2\)"),
    (dict(precisions_init=np.ones((2, 2))), r"precisions_init must have shape \(2, 2, 2\)"),
    (dict(precisions_init=np.array([np.eye(2), -np.eye(2)])),
     r"precisions_init must be spd, but matrix 1 is not positive definite"),
    (dict(precisions_init=np.array([np.eye(2), [[1, 2], [0, 1]]])),
     r"precisions_init must be spd, but it is not symmetric"),
    (dict(covariance_type="diag", precisions_init=np.array([[1, 1], [1, -1.0]])),
     r"precisions_init must be positive, but it has entries <= 0"),
])
def test_bad_initial_arrays(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _fit(n_components=2, **kwargs)


def test_constant_column():
    X = X_GOOD.copy()
    X[:, 1] = 3.0
    with pytest.raises(ValueError, match=r"X column 1 is constant \(every value is 3\).*"
                                         r"Remove constant columns"):
        _fit(X)


def test_failed_fit_leaves_data_and_earlier_model_untouched():
    model = _fit(n_components=2, random_state=0)
    means, X = model.means_.copy(), X_GOOD.copy()
    X_bad = X.copy()
    X_bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        model.fit(X_bad)
    np.testing.assert_array_equal(model.means_, means)
    np.testing.assert_array_equal(X, X_GOOD)
    assert np.isinf(X_bad[0, 0])


def test_unknown_fixed_parameter_name():
    with pytest.raises(ValueError, match=r"fixed: unknown parameter name 'weigts'; valid names "
                                         r"are \['weights', 'components.means'"):
        _fit(n_components=2, fixed={"weigts"})


def test_predict_with_wrong_number_of_features():
    model = _fit(n_components=2, random_state=0)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting 2"):
        model.predict(np.zeros((4, 3)))


def test_warm_start_on_data_of_another_width_is_refused():
    model = _fit(n_components=2, random_state=0, warm_start=True)
    with pytest.raises(ValueError, match=r"warm_start=True continues the previous fit "
                                         r"\(n_features=2\), but X has 3"):
        model.fit(np.random.RandomState(1).randn(50, 3))
    assert model.means_.shape == (2, 2)


def test_starting_parameters_of_the_wrong_shape_are_an_error_not_a_crash():
    mixture = emkit.Mixture(emkit.Gaussian("full"), 2)
    start = emkit.Tree(weights=np.ones(2) / 2, components={
        "means": np.zeros((2, 2)), "covariances": np.stack([np.eye(2)] * 2)})
    with pytest.raises(ValueError, match=r"means must have shape \(n_components, 4\)"):
        emkit.fit(mixture, np.random.RandomState(0).randn(30, 4), init=start)
    three_means = start.replace(components=start.components.replace(
        means=np.zeros((3, 2)), covariances=np.stack([np.eye(2)] * 3)))
    with pytest.raises(ValueError, match="log_prob returned shape"):
        emkit.fit(mixture, X_GOOD, init=three_means)


@pytest.mark.parametrize("kwargs, message", [
    (dict(max_iter=-1), "max_iter must be an integer >= 0; got -1"),
    (dict(n_init=0), "n_init must be an integer >= 1; got 0"),
    (dict(tol="a"), "tol must be a non-negative number; got 'a'"),
])
def test_engine_fit_checks_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        emkit.fit(emkit.Mixture(emkit.Gaussian(), 2), X_GOOD, **kwargs)


def test_engine_fit_checks_raw_arrays_and_accepts_lists():
    mixture = emkit.Mixture(emkit.Gaussian(), 2)
    with pytest.raises(ValueError, match="data must be 2-D"):
        emkit.fit(mixture, np.arange(10.0))
    assert emkit.fit(mixture, X_GOOD.tolist(), random_state=0).n_iter >= 1


def test_predict_checks_the_support_but_not_fit_time_conditions():
    counts = np.random.RandomState(0).poisson(3.0, (40, 2)).astype(float)
    model = emkit.PoissonMixture(2, random_state=0).fit(counts)
    with pytest.raises(ValueError, match="Poisson"):
        model.predict(np.array([[-1.0, 2.0]]))
    gaussian = _fit(n_components=2, random_state=0)
    constant = np.column_stack([np.arange(5.0), np.full(5, 2.0)])
    assert gaussian.predict(constant).shape == (5,)  # a constant column is fine to score
