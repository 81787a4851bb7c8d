"""The named family mixtures: the family's arguments as estimator parameters, and real fits."""
import pickle

import numpy as np
import pytest
from scipy import optimize, stats
from sklearn.base import clone

import emkit
from emkit import (
    Bernoulli, BernoulliMixture, Binomial, BinomialMixture, Categorical, CategoricalMixture,
    MixtureModel, Poisson, PoissonMixture,
)
from emkit.estimators.family import family_mixture
from emkit.priors import Gamma

RNG = np.random.default_rng(0)
COUNTS = np.concatenate([RNG.poisson(2.0, 150), RNG.poisson(9.0, 100)])[:, None].astype(float)

CASES = [
    (BernoulliMixture(2, random_state=0), Bernoulli(), RNG.integers(0, 2, (80, 3))),
    (BinomialMixture(2, n_trials=6, random_state=0), Binomial(6), RNG.binomial(6, 0.4, (80, 2))),
    (CategoricalMixture(2, n_categories=4, random_state=0), Categorical(4),
     RNG.integers(0, 4, (80, 2))),
    (PoissonMixture(2, prior=Gamma(2.0, 1.0), random_state=0), Poisson(prior=Gamma(2.0, 1.0)),
     COUNTS),
]


@pytest.mark.parametrize("estimator, component, X", CASES,
                         ids=[type(c[0]).__name__ for c in CASES])
def test_a_family_mixture_is_the_mixture_model_of_its_family(estimator, component, X):
    X = X.astype(float)
    named = estimator.fit(X)
    generic = MixtureModel(component, 2, random_state=0).fit(X)
    for path, value in generic.params_.paths().items():
        np.testing.assert_array_equal(named.params_.get_path(path), value)
    assert type(named.model_.component) is type(component)
    restored = pickle.loads(pickle.dumps(named))
    np.testing.assert_array_equal(restored.predict_proba(X), named.predict_proba(X))
    def described(estimator):
        return {key: repr(value) for key, value in estimator.get_params().items()}

    assert described(clone(named)) == described(named)


def test_family_arguments_are_estimator_parameters():
    estimator = BinomialMixture(3, n_trials=10, weight_prior=None, tol=1e-4)
    params = estimator.get_params()
    assert params["n_trials"] == 10 and params["n_components"] == 3 and params["tol"] == 1e-4
    assert "n_trials : int or array-like" in BinomialMixture.__doc__
    assert "weight_prior : emkit.priors.Dirichlet" in BinomialMixture.__doc__
    with pytest.raises(TypeError, match="n_trials"):
        BinomialMixture(2)
    with pytest.raises(ValueError, match="n_trials"):
        BinomialMixture(2, n_trials=-1).fit(np.zeros((5, 1)))


def test_a_poisson_mixture_reaches_the_direct_mle():
    def negative_log_lik(z):
        w = 1.0 / (1.0 + np.exp(-z[0]))
        mixed = w * stats.poisson(np.exp(z[1])).pmf(COUNTS[:, 0]) + (1 - w) * stats.poisson(
            np.exp(z[2])).pmf(COUNTS[:, 0])
        return -np.sum(np.log(mixed))

    z = optimize.minimize(negative_log_lik, [0.0, 0.0, 2.0], method="Nelder-Mead",
                          options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}).x
    expected = sorted([(np.exp(z[1]), 1 / (1 + np.exp(-z[0]))),
                       (np.exp(z[2]), 1 - 1 / (1 + np.exp(-z[0])))])
    fitted = PoissonMixture(2, tol=1e-12, max_iter=5000, random_state=0).fit(COUNTS)
    order = np.argsort(fitted.rates_[:, 0])
    np.testing.assert_allclose(fitted.rates_[order, 0], [r for r, _ in expected], rtol=1e-5)
    np.testing.assert_allclose(fitted.weights_[order], [w for _, w in expected], rtol=1e-5)


def test_bad_counts_name_the_column_and_family():
    X = np.column_stack([np.arange(6.0), [0, 1, 2, -1, 0, 1]])
    with pytest.raises(ValueError, match="X column 1 has value -1.0 at row 3; a Poisson component"):
        PoissonMixture(2).fit(X)


def test_family_arguments_may_not_shadow_mixture_parameters():
    class Clashing(emkit.Gaussian):
        def __init__(self, tol=1.0):
            super().__init__()

    with pytest.raises(TypeError, match=r"\['tol'\] clash"):
        family_mixture(Clashing, __name__)
