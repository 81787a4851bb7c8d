"""Model files: JSON + .npz, no pickle, fitted estimators survive the round trip."""
import json

import numpy as np
import pytest

import emkit
from emkit.persist import load, save
from conftest import COVARIANCE_TYPES, make_blobs


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_round_trip_preserves_every_prediction(tmp_path, covariance_type):
    X = make_blobs(seed=1)
    fitted = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    json_path, npz_path = save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.covariances_, fitted.covariances_)
    assert loaded.history_.to_table() == fitted.history_.to_table()
    assert loaded.n_iter_ == fitted.n_iter_ and loaded.lower_bound_ == fitted.lower_bound_
    spec = json.loads(json_path.read_text())
    assert spec["estimator"] == "GaussianMixture" and "numpy" in spec["versions"]
    with np.load(npz_path, allow_pickle=False) as arrays:
        assert all(arrays[key].dtype != object for key in arrays.files)


def test_feature_names_survive(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(make_blobs(n_features=2), columns=["a", "b"])
    save(emkit.GaussianMixture(2, random_state=0).fit(X), tmp_path / "m")
    assert list(load(tmp_path / "m").feature_names_in_) == ["a", "b"]


def test_a_file_naming_a_foreign_class_is_refused(tmp_path):
    save(emkit.GaussianMixture(2, random_state=0).fit(make_blobs()), tmp_path / "m")
    spec = json.loads((tmp_path / "m.json").read_text())
    spec["estimator"] = "os.system"
    (tmp_path / "m.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="names estimator 'os.system', which is not one of"):
        load(tmp_path / "m")


def test_estimators_with_components_and_priors_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.poisson(2.0, (60, 2)), rng.poisson(9.0, (60, 2))]).astype(float)
    component = emkit.Poisson(prior=emkit.priors.Gamma(2.0, rate=1.0))
    fitted = emkit.MixtureModel(component, n_components=2, random_state=0).fit(X)
    save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert loaded.component.prior.shape == 2.0 and loaded.component.prior.rate == 1.0
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.parametrize("make", [
    lambda: emkit.GaussianHMM(2, covariance_type="diag", random_state=0),
    lambda: emkit.PoissonHMM(2, random_state=0),
])
def test_hmm_estimators_round_trip(tmp_path, make):
    rng = np.random.RandomState(1)
    states = np.repeat([0, 1, 0, 1], 30)
    X = rng.poisson(np.array([2.0, 9.0])[states])[:, None].astype(float)
    fitted = make().fit(X, lengths=[60, 60])
    save(fitted, tmp_path / "h")
    loaded = load(tmp_path / "h")
    np.testing.assert_array_equal(loaded.transmat_, fitted.transmat_)
    assert loaded.score(X, [60, 60]) == fitted.score(X, [60, 60])
    np.testing.assert_array_equal(loaded.predict(X, [60, 60]), fitted.predict(X, [60, 60]))


def test_a_user_defined_component_cannot_be_saved(tmp_path):
    class Mine(emkit.Gaussian):
        pass

    fitted = emkit.MixtureModel(Mine(), n_components=2, random_state=0).fit(make_blobs())
    with pytest.raises(ValueError, match="model files hold emkit's own components"):
        save(fitted, tmp_path / "m")


def test_every_component_and_prior_is_rebuilt_from_its_arguments():
    from emkit.persist import decode, encode

    objects = [
        emkit.Gaussian("diag", reg_covar=0.1), emkit.Bernoulli(prior=emkit.priors.Beta(2, 3)),
        emkit.Binomial(5), emkit.Categorical(4, prior=emkit.priors.Dirichlet([1, 2, 3, 4])),
        emkit.Multinomial(n_trials=3), emkit.Exponential(), emkit.Gamma(), emkit.LogNormal(),
        emkit.Beta(), emkit.StudentT(dof=4.0), emkit.VonMisesFisher(), emkit.Uniform(),
        emkit.Independent([emkit.Gaussian(), emkit.Poisson()], widths=[2, 1]),
        emkit.Stacked([emkit.Gaussian(), emkit.Uniform()]),
        emkit.MixtureEmission(emkit.Gaussian("diag"), 3),
    ]
    for obj in objects:
        rebuilt = decode(json.loads(json.dumps(encode(obj))))
        assert type(rebuilt) is type(obj) and repr(rebuilt) == repr(obj)


def test_a_categorical_hmm_that_counted_its_symbols_round_trips(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(200, 1)).astype(float)
    fitted = emkit.CategoricalHMM(2, random_state=0).fit(X)  # n_features=None: 4 symbols
    save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.emissionprob_, fitted.emissionprob_)
    assert loaded.score(X) == fitted.score(X)


def test_the_generic_estimator_round_trips_with_its_model(tmp_path):
    rng = np.random.RandomState(1)
    X = np.vstack([rng.poisson(2.0, (80, 2)), rng.poisson(9.0, (80, 2))]).astype(float)
    model = emkit.Mixture(emkit.Poisson(prior=emkit.priors.Gamma(2.0, 1.0)), 2)
    fitted = emkit.Estimator(model, random_state=0).fit(X)
    save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert isinstance(loaded.model, emkit.Mixture) and loaded.model.n_components == 2
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert loaded.history_.to_table() == fitted.history_.to_table()


def test_a_model_file_with_a_parameter_outside_its_set_is_refused(tmp_path):
    fitted = emkit.GaussianMixture(2, random_state=0).fit(make_blobs())
    save(fitted, tmp_path / "m")
    with np.load(tmp_path / "m.npz") as stored:
        arrays = dict(stored)
    arrays["params.weights"] = np.array([0.9, 0.9])
    np.savez(tmp_path / "m.npz", **arrays)
    with pytest.raises(ValueError, match="'weights' must be simplex"):
        load(tmp_path / "m")


def test_a_stopping_rule_round_trips(tmp_path):
    rule = emkit.engine.AllOf(emkit.engine.ObjectiveChange(1e-4),
                              emkit.engine.ParameterChange(1e-7))
    fitted = emkit.MixtureModel(emkit.Gaussian("diag"), 2, stopping=rule,
                                random_state=0).fit(make_blobs())
    save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert [r.tol for r in loaded.stopping.rules] == [1e-4, 1e-7]
