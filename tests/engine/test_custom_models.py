"""Models written against the contract alone get the whole engine (issue 8).

The documented custom models (examples/: a Rayleigh component, the ABO blood-type model) and
one written here (a zero-inflated Poisson) each get, with no extra code: starting
responsibilities (``init=``), validation of every streamed block naming the row, and the
generic estimator's methods. Every fitted value is compared with a reference found without
emkit (closed forms, scipy.stats, scipy.optimize on the observed-data likelihood).
"""
import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import logsumexp

import emkit
from conftest import load_example
from emkit.sources import open_source
from zip_model import ZeroInflatedPoisson, direct_mle


@pytest.fixture(scope="module")
def blood():
    return load_example("custom_model")


@pytest.fixture(scope="module")
def rayleigh():
    return load_example("custom_component").Rayleigh


def _blood_mle(counts):
    n_a, n_b, n_ab, n_o = counts

    def negative(z):
        p, q, r = np.exp(z) / np.exp(z).sum()
        return -(n_a * np.log(p * p + 2 * p * r) + n_b * np.log(q * q + 2 * q * r)
                 + n_ab * np.log(2 * p * q) + n_o * np.log(r * r))

    z = optimize.minimize(negative, np.zeros(3), method="BFGS", tol=1e-12).x
    return np.exp(z) / np.exp(z).sum(), -negative(z)


def _zip_data(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    x = np.where(rng.uniform(size=n) < 0.3, 0.0, rng.poisson(2.5, size=n)).astype(float)
    return x[:, None]


# -- init= responsibilities ---------------------------------------------------------------------
def test_blood_types_start_from_given_genotype_responsibilities(blood):
    data = emkit.Block(np.arange(4.0)[:, None], weights=blood.COUNTS)
    shown = blood.PHENOTYPE == np.arange(4)[:, None]  # uniform over the genotypes shown
    result = emkit.fit(blood.BloodTypes(), data, init=shown.astype(float), tol=1e-13,
                       max_iter=1000)
    alleles, log_lik = _blood_mle(blood.COUNTS)
    np.testing.assert_allclose(result.params.alleles, alleles, atol=1e-7)
    assert result.log_likelihood == pytest.approx(log_lik, rel=1e-10)
    # the first M-step counts alleles in exactly those genotype weights
    first = emkit.fit(blood.BloodTypes(), data, init=shown.astype(float), max_iter=0)
    copies = (blood.COUNTS @ (shown / shown.sum(1, keepdims=True))) @ blood.ALLELES
    np.testing.assert_allclose(first.params.alleles, copies / copies.sum(), rtol=1e-14)


def test_a_rayleigh_mixture_starts_from_given_responsibilities(rayleigh):
    rng = np.random.default_rng(3)
    X = np.vstack([rng.rayleigh([1.0, 3.0], (150, 2)), rng.rayleigh([5.0, 0.5], (100, 2))])
    resp = np.repeat(np.eye(2), [150, 100], axis=0)
    first = emkit.fit(emkit.Mixture(rayleigh(), 2), X, init=resp, max_iter=0)
    closed_form = np.sqrt(np.stack([np.mean(X[:150] ** 2, 0), np.mean(X[150:] ** 2, 0)]) / 2)
    np.testing.assert_allclose(first.params.components.scales, closed_form, rtol=1e-12)
    np.testing.assert_allclose(first.params.weights, [0.6, 0.4], rtol=1e-12)


def test_a_model_written_in_a_test_starts_from_given_responsibilities():
    X = _zip_data()
    resp = np.where(X == 0, [0.5, 0.5], [0.0, 1.0])
    result = emkit.fit(ZeroInflatedPoisson(), X, init=resp, tol=1e-12, max_iter=2000)
    zero_weight, rate, log_lik = direct_mle(X[:, 0])
    assert result.params.weights[0] == pytest.approx(zero_weight, rel=1e-6)
    assert result.params.rate[0] == pytest.approx(rate, rel=1e-6)
    assert result.log_likelihood == pytest.approx(log_lik, rel=1e-10)


# -- validation of streamed blocks, naming the row -------------------------------------------------
def _npy_with(X, row, value, tmp_path):
    X = X.copy()
    X[row, 0] = value
    path = tmp_path / "data.npy"
    np.save(path, X)
    return open_source(path, head_rows=100)


def test_blood_types_name_the_bad_row_of_a_streamed_file(blood, tmp_path):
    X = np.tile(np.arange(4.0), 2000)[:, None]
    with pytest.raises(ValueError, match="X column 0 has value 7.0 at row 4321; a BloodTypes"):
        emkit.fit(blood.BloodTypes(), _npy_with(X, 4321, 7.0, tmp_path), max_iter=2)


def test_a_rayleigh_mixture_names_the_bad_row_of_a_streamed_file(rayleigh, tmp_path):
    X = np.random.default_rng(0).rayleigh(2.0, (9000, 2))
    with pytest.raises(ValueError, match="X column 0 has value -1.0 at row 4321; a Rayleigh"):
        emkit.MixtureModel(rayleigh(), 2, random_state=0).fit(
            _npy_with(X, 4321, -1.0, tmp_path))


def test_a_model_written_in_a_test_names_the_bad_row_of_a_streamed_file(tmp_path):
    source = _npy_with(_zip_data(n=9000), 4321, -3.0, tmp_path)
    with pytest.raises(ValueError, match="X column 0 has value -3.0 at row 4321"):
        emkit.fit(ZeroInflatedPoisson(), source, max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="X column 0 has value -3.0 at row 4321"):
        emkit.Estimator(ZeroInflatedPoisson(), random_state=0).fit(source)


def test_a_check_without_a_row_number_is_told_its_block(tmp_path):
    class Picky(ZeroInflatedPoisson):
        def validate(self, block):
            if np.any(block.X > 50):
                raise ValueError("counts above 50 are not expected")

    X = _zip_data(n=9000)
    source = _npy_with(X, 8500, 99.0, tmp_path)
    with pytest.raises(ValueError, match=r"counts above 50 are not expected \[found while "
                                         r"checking rows 8192 to 8999"):
        emkit.fit(Picky(), source, max_iter=2, random_state=0,
                  backend=emkit.backends.NumpyBackend(chunk_size=8192))


# -- the generic estimator ---------------------------------------------------------------------
def test_blood_types_get_the_estimator_methods(blood):
    people = np.repeat(np.arange(4.0), blood.COUNTS.astype(int))[:, None]
    estimator = emkit.Estimator(blood.BloodTypes(), n_init=2, random_state=0, tol=1e-12,
                                max_iter=1000).fit(people)
    alleles, log_lik = _blood_mle(blood.COUNTS)
    np.testing.assert_allclose(estimator.params_.alleles, alleles, atol=1e-7)
    p, q, r = estimator.params_.alleles
    phenotype = np.log([p * p + 2 * p * r, q * q + 2 * q * r, 2 * p * q, r * r])
    np.testing.assert_allclose(estimator.score_samples(people), phenotype[[0, 1, 2, 3]][
        people[:, 0].astype(int)], rtol=1e-12)
    assert estimator.score(people) == pytest.approx(log_lik / len(people), rel=1e-9)
    assert estimator.bic(people) == pytest.approx(-2 * log_lik + 2 * np.log(len(people)),
                                                  rel=1e-9)
    assert estimator.aic(people) == pytest.approx(-2 * log_lik + 4, rel=1e-9)
    proba = estimator.predict_proba(np.array([[0.0]]))  # phenotype A: AA or AO
    np.testing.assert_allclose(proba[0, :2], [p * p, 2 * p * r] / (p * p + 2 * p * r))
    X, genotypes = emkit.Estimator(blood.BloodTypes(), random_state=1).fit(people).sample(4000)
    assert X.shape == (4000, 1) and set(np.unique(X)) <= {0.0, 1.0, 2.0, 3.0}
    frequencies = np.bincount(X[:, 0].astype(int), minlength=4) / 4000
    np.testing.assert_allclose(frequencies, np.exp(phenotype), atol=0.03)
    assert np.all(blood.PHENOTYPE[genotypes] == X[:, 0])


def test_a_rayleigh_mixture_gets_the_estimator_methods(rayleigh):
    rng = np.random.default_rng(3)
    X = np.vstack([rng.rayleigh([1.0, 3.0], (150, 2)), rng.rayleigh([5.0, 0.5], (100, 2))])
    estimator = emkit.Estimator(emkit.Mixture(rayleigh(), 2), random_state=0).fit(X)
    params = estimator.params_
    densities = np.column_stack([
        np.log(w) + stats.rayleigh(scale=s).logpdf(X).sum(axis=1)
        for w, s in zip(params.weights, params.components.scales)])
    np.testing.assert_allclose(estimator.score_samples(X), logsumexp(densities, axis=1),
                               rtol=1e-12)
    np.testing.assert_allclose(estimator.predict_proba(X),
                               np.exp(densities - logsumexp(densities, axis=1, keepdims=True)),
                               rtol=1e-10, atol=1e-12)
    n_parameters = 1 + 2 * 2
    assert estimator.bic(X) == pytest.approx(
        -2 * logsumexp(densities, axis=1).sum() + n_parameters * np.log(len(X)), rel=1e-12)
    sample, labels = estimator.sample(10)
    assert sample.shape == (10, 2) and np.all(sample > 0) and labels.shape == (10,)


def test_a_model_written_in_a_test_gets_the_estimator_methods():
    X = _zip_data()
    estimator = emkit.Estimator(ZeroInflatedPoisson(), random_state=0, tol=1e-12,
                                max_iter=2000).fit(X)
    zero_weight, rate, log_lik = direct_mle(X[:, 0])
    assert estimator.params_.weights[0] == pytest.approx(zero_weight, rel=1e-6)
    pmf = np.where(X[:, 0] == 0, zero_weight, 0.0) + (1 - zero_weight) * stats.poisson(
        rate).pmf(X[:, 0])
    np.testing.assert_allclose(estimator.score_samples(X), np.log(pmf), rtol=1e-6)
    assert estimator.score(X) == pytest.approx(log_lik / len(X), rel=1e-9)
    assert estimator.aic(X) == pytest.approx(-2 * log_lik + 2 * 2, rel=1e-9)
    assert np.all(estimator.predict(X)[X[:, 0] > 0] == 1)
    sample, latent = estimator.sample(500)
    assert np.all(sample[latent == 0] == 0)
