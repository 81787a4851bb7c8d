"""MixtureModel: sample weights, labels, fixed parameters and starting values by name."""
import numpy as np
import pytest

from emkit import Gaussian, MixtureModel, Uniform

RNG = np.random.default_rng(0)
X = np.vstack([RNG.normal(0.0, 1.0, (60, 2)), RNG.normal(5.0, 1.0, (40, 2))])
START = {"weights": [0.5, 0.5], "means": [[1.0, 1.0], [4.0, 4.0]],
         "covariances": [np.eye(2), np.eye(2)]}


def test_integer_sample_weights_fit_like_repeated_rows():
    counts = RNG.integers(0, 4, size=X.shape[0])
    model = MixtureModel(Gaussian(), 2, params_init=START, tol=1e-10, max_iter=500)
    weighted = model.fit(X, sample_weight=counts).params_
    repeated = MixtureModel(Gaussian(), 2, params_init=START, tol=1e-10, max_iter=500).fit(
        np.repeat(X, counts, axis=0)).params_
    for path, value in repeated.paths().items():
        np.testing.assert_allclose(weighted.get_path(path), value, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("sample_weight, message", [
    (np.ones(99), r"sample_weight must have shape \(n_samples,\) = \(100,\)"),
    (np.r_[np.ones(99), -1.0], "row 99 has -1.0"),
    (np.r_[np.ones(99), np.nan], "must be finite and non-negative"),
    (np.zeros(100), "every weight is zero"),
    (np.r_[1.0, np.zeros(99)], "only 1 rows of X have a non-zero sample_weight, fewer than n_components=2"),
])
def test_bad_sample_weights_are_explained(sample_weight, message):
    with pytest.raises(ValueError, match=message):
        MixtureModel(Gaussian(), 2).fit(X, sample_weight=sample_weight)


def test_labels_pin_rows_and_y_is_ignored():
    labels = np.full(100, -1)
    labels[[0, 1]] = 1
    model = MixtureModel(Gaussian(), 2, random_state=0).fit(X, labels=labels)
    assert np.all(np.abs(model.means_[1]) < 0.5)
    assert np.all(model.predict(X[:60]) == 1)
    arbitrary_y = np.arange(100) % 7
    MixtureModel(Gaussian(), 2, random_state=0).fit(X, arbitrary_y)
    with pytest.raises(ValueError, match="labels must be -1 .* row 3 has 5"):
        MixtureModel(Gaussian(), 2).fit(X, labels=np.r_[-1, -1, -1, 5, np.full(96, -1)])


def test_fixed_parameters_by_name_keep_their_starting_values():
    weights = np.array([0.3, 0.7])
    model = MixtureModel(Gaussian(), 2, params_init={**START, "weights": weights},
                         fixed={"weights"}).fit(X)
    np.testing.assert_array_equal(model.weights_, weights)
    means = MixtureModel(Gaussian(), 2, params_init=START, fixed={"means"}).fit(X).means_
    np.testing.assert_array_equal(means, START["means"])
    with pytest.raises(ValueError, match="fixed: unknown parameter name 'rates'"):
        MixtureModel(Gaussian(), 2, fixed={"rates"}).fit(X)


def test_partial_starting_values_are_completed_by_the_initialisation():
    model = MixtureModel(Gaussian(), 2, params_init={"means": START["means"]}, max_iter=1,
                         tol=1e9).fit(X)
    assert model.n_iter_ == 1
    assert model.weights_.shape == (2,) and model.covariances_.shape == (2, 2, 2)


@pytest.mark.parametrize("params_init, message", [
    ({"means": [[0.0, 0.0]]}, r"params_init\['means'\] must have shape \(2, 2\) .*K = "
                              r"n_components leads .* got shape \(1, 2\)"),
    ({"weights": [0.9, 0.3]}, r"params_init: parameter 'weights' must be simplex"),
    ({"covariances": [np.eye(2), -np.eye(2)]}, "'components.covariances' must be spd"),
    ({"rates": [1.0, 2.0]}, "params_init: unknown parameter name 'rates'"),
    ([("means", 1.0)], "params_init must be a dict"),
])
def test_bad_starting_values_are_explained(params_init, message):
    with pytest.raises(ValueError, match=message):
        MixtureModel(Gaussian(), 2, params_init=params_init).fit(X)


def test_stacked_parameters_are_reached_by_path_and_ambiguity_is_explained():
    box = {"low": [[-5.0, -5.0]], "high": [[10.0, 10.0]]}
    model = MixtureModel([Gaussian(), Uniform()], 2, params_init={"c1": box},
                         fixed={"c1.low", "c1.high"}).fit(X)
    np.testing.assert_array_equal(model.components_.c1.high, box["high"])
    with pytest.raises(ValueError, match="'means' names 2 parameters .*components.c0.means"):
        MixtureModel([Gaussian(), Gaussian()], 2, params_init={"means": [[0.0, 0.0]]}).fit(X)
    with pytest.raises(ValueError, match="a list of 2 components was given but n_components=3"):
        MixtureModel([Gaussian(), Uniform()], 3).fit(X)


def test_a_failed_fit_leaves_the_earlier_fit_and_the_data_untouched():
    model = MixtureModel(Gaussian(), 2, random_state=0).fit(X)
    weights, history, data = model.weights_.copy(), model.history_, X.copy()
    model.set_params(params_init={"weights": [2.0, -1.0]})
    with pytest.raises(ValueError, match="simplex"):
        model.fit(X)
    assert model.history_ is history
    np.testing.assert_array_equal(model.weights_, weights)
    np.testing.assert_array_equal(X, data)


def test_published_attributes_follow_the_component():
    model = MixtureModel(Gaussian(), 2, random_state=0).fit(X)
    assert model.means_.shape == (2, 2)
    model.set_params(component=Uniform(), n_components=1).fit(X)
    assert not hasattr(model, "means_")
    np.testing.assert_array_equal(model.low_, X.min(axis=0)[None])


def test_a_weight_prior_makes_the_fit_a_map_fit():
    from scipy import stats

    from emkit.priors import Dirichlet

    start = {**START, "weights": [0.9, 0.1]}
    plain = MixtureModel(Gaussian(), 2, params_init=start, fixed={"means", "covariances"},
                         tol=1e-12, max_iter=1000).fit(X)
    prior = MixtureModel(Gaussian(), 2, params_init=start, fixed={"means", "covariances"},
                         weight_prior=Dirichlet(50.0), tol=1e-12, max_iter=1000).fit(X)
    assert prior.history_.objective_name == "log-posterior"
    assert abs(prior.weights_[0] - 0.5) < abs(plain.weights_[0] - 0.5)
    log_lik = prior.score(X) * X.shape[0]
    expected = log_lik + stats.dirichlet([50.0, 50.0]).logpdf(prior.weights_)
    assert prior.lower_bound_ * X.shape[0] == pytest.approx(expected, rel=1e-10)
