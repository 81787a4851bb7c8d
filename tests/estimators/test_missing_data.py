"""Missing values (NaN) as latent variables in Gaussian mixtures and HMMs (issue 9, part 2).

References are independent: the observed-data log-likelihood written with numpy and maximised
directly by scipy.optimize (``missing_reference``), scipy.stats on observed sub-vectors, the
precision-form conditional of a normal, a forward algorithm written here.
"""
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

import emkit
from emkit.backends import NumpyBackend
from emkit.components.gaussian import STRUCTURES
from emkit.components.gaussian import _kernels
from emkit.components.gaussian.component import weighted_moments
from emkit.engine import Block, Densities, Tree, fit
from emkit.exceptions import AnatomyWarning, MissingDataWarning, NonMonotoneWarning
from missing_reference import direct_mle, observed_log_likelihood

COV = np.array([[1.0, 0.8, 0.4], [0.8, 1.5, 0.3], [0.4, 0.3, 1.0]])
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def _data(n_components, n=300, seed=0):
    rng = np.random.default_rng(seed)
    if n_components == 1:
        return rng.multivariate_normal([0.0, 1.0, 2.0], COV, size=n)
    first = rng.random(n) < 0.4
    return np.where(first[:, None], rng.multivariate_normal([0, 0, 0], COV, size=n),
                    rng.multivariate_normal([4, -3, 2], 0.5 * COV, size=n))


def _hide(X, kind, rate=0.25, seed=1):
    """NaN in a monotone pattern (x2 missing whenever x1 is) or anywhere (no empty rows)."""
    rng = np.random.default_rng(seed)
    X = X.copy()
    if kind == "monotone":
        u = rng.random(len(X))
        X[u < 2 * rate, 2] = np.nan
        X[u < rate, 1] = np.nan
        return X
    mask = rng.random(X.shape) < rate
    mask[mask.all(axis=1), 0] = False
    X[mask] = np.nan
    return X


def _strict():
    warnings.simplefilter("error", AnatomyWarning)
    warnings.simplefilter("error", NonMonotoneWarning)


# -- the EM estimate is the maximum of the observed-data likelihood -----------------------------
@pytest.mark.parametrize("n_components", [1, pytest.param(2, marks=pytest.mark.slow)])
@pytest.mark.parametrize("kind", ["monotone", "arbitrary"])
def test_em_equals_direct_maximisation_of_the_observed_likelihood(n_components, kind):
    X = _hide(_data(n_components), kind)
    with warnings.catch_warnings():
        _strict()
        model = emkit.GaussianMixture(n_components, reg_covar=0.0, tol=1e-14, max_iter=5000,
                                      random_state=0).fit(X)
    assert model.converged_
    shift = np.arange(n_components)[:, None] * np.array([3.0, -2.0, 1.0])
    start = (np.full(n_components, 1 / n_components), np.nanmean(X, axis=0) + shift,
             np.repeat(np.eye(3)[None], n_components, axis=0))
    (weights, means, covariances), best = direct_mle(X, start)
    order, mine = np.argsort(means[:, 0]), np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(model.weights_[mine], weights[order], atol=1e-6)
    np.testing.assert_allclose(model.means_[mine], means[order], atol=1e-6)
    np.testing.assert_allclose(model.covariances_[mine], covariances[order], atol=1e-6)
    assert model.score(X) * len(X) == pytest.approx(best, abs=1e-7)


# -- no NaN: the complete-data path, the same floats ------------------------------------------
class _KernelOnlyGaussian(emkit.Gaussian):
    """The complete-data Gaussian as it was before missing data: the compiled kernels alone."""

    def densities(self, params, X):
        factor = self.factor(params)
        out = np.empty((X.shape[0], params.means.shape[0]))
        kernel = _kernels.dense_log_prob if factor.dense else _kernels.diag_log_prob
        kernel(X, params.means, factor.values, factor.log_det, out)
        return Densities(out)

    def stats_from_densities(self, params, X, weights, densities):
        return Tree(moments=weighted_moments(X, weights, params.means, self.structure.dense),
                    missing_entropy=np.zeros(params.means.shape[0]))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_without_nan_the_fit_is_the_complete_data_fit_bit_for_bit(covariance_type):
    X = _data(2)
    start = emkit.Mixture(emkit.Gaussian(covariance_type), 2).init_params(
        Block(X), np.random.RandomState(0))
    fits = [fit(emkit.Mixture(component, 2), X, init=start, tol=0.0, max_iter=15)
            for component in (emkit.Gaussian(covariance_type),
                              _KernelOnlyGaussian(covariance_type))]
    for path, leaf in fits[1].params.paths().items():
        np.testing.assert_array_equal(fits[0].params.get_path(path), leaf, err_msg=path)
    np.testing.assert_array_equal(fits[0].history.column("evidence"),
                                  fits[1].history.column("evidence"))
    np.testing.assert_array_equal(fits[0].history.column("bound_m"),
                                  fits[1].history.column("bound_m"))


# -- imputation ------------------------------------------------------------------------------
def test_imputation_beats_column_means_on_correlated_data():
    rng = np.random.default_rng(7)
    d = 5
    cov = 0.75 ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))  # AR(1) correlations
    X = rng.multivariate_normal(np.arange(d, dtype=float), cov, size=2000)
    hidden = rng.random(X.shape) < 0.3
    hidden[hidden.all(axis=1), 0] = False
    X_missing = np.where(hidden, np.nan, X)
    model = emkit.GaussianMixture(1, random_state=0, tol=1e-8, max_iter=500).fit(X_missing)
    imputed = model.impute(X_missing)
    column_means = np.where(hidden, np.nanmean(X_missing, axis=0), X)
    em_error = np.sqrt(np.mean((imputed - X)[hidden] ** 2))
    mean_error = np.sqrt(np.mean((column_means - X)[hidden] ** 2))
    print(f"\nRMSE on the 30% hidden entries: EM imputation {em_error:.4f}, column means "
          f"{mean_error:.4f} (ratio {em_error / mean_error:.3f})")
    assert em_error < 0.85 * mean_error
    np.testing.assert_array_equal(imputed[~hidden], X[~hidden])


def test_impute_with_std_is_the_mixture_of_the_component_conditionals():
    X = _hide(_data(2), "arbitrary", rate=0.3)
    model = emkit.GaussianMixture(2, random_state=0, tol=1e-6).fit(X)
    mean, std = model.impute(X, return_std=True)
    for i in range(0, len(X), 37):
        o = ~np.isnan(X[i])
        m = ~o
        log_r = [np.log(model.weights_[k]) + stats.multivariate_normal(
            model.means_[k][o], model.covariances_[k][np.ix_(o, o)]).logpdf(X[i, o])
            for k in range(2)]
        r = np.exp(log_r - logsumexp(log_r))
        np.testing.assert_allclose(model.predict_proba(X[i:i + 1])[0], r, rtol=1e-10)
        first, second = np.zeros(m.sum()), np.zeros(m.sum())
        for k in range(2):  # precision form: C = inv(P_mm), E = mu_m - C P_mo (x_o - mu_o)
            P = np.linalg.inv(model.covariances_[k])
            C = np.linalg.inv(P[np.ix_(m, m)])
            e = model.means_[k][m] - C @ P[np.ix_(m, o)] @ (X[i, o] - model.means_[k][o])
            first += r[k] * e
            second += r[k] * (np.diag(C) + e ** 2)
        np.testing.assert_allclose(mean[i, m], first, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(std[i, m], np.sqrt(second - first ** 2), rtol=1e-7)
        np.testing.assert_array_equal(std[i, o], 0.0)


# -- densities of incomplete rows ----------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_density_of_incomplete_rows_is_scipys_on_the_observed_subvector(covariance_type):
    X = _hide(_data(2), "arbitrary", rate=0.35)
    X[5] = np.nan  # a row with nothing observed has density 1 (it is kept by score_samples)
    with pytest.warns(MissingDataWarning, match=r"1 row\(s\) of X \(of 300\) have no observed"):
        model = emkit.GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    full = STRUCTURES[covariance_type].full(model.covariances_, 2, 3)
    expected = []
    for row in X:
        o = ~np.isnan(row)
        expected.append(0.0 if not o.any() else logsumexp(
            [np.log(model.weights_[k]) + stats.multivariate_normal(
                model.means_[k][o], full[k][np.ix_(o, o)]).logpdf(row[o]) for k in range(2)]))
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X[5:6]), model.weights_[None], rtol=1e-12)
    assert model.predict(X).shape == (300,)


# -- the anatomy: the bound after each E-step is the observed-data evidence ---------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_anatomy_with_missing_values(covariance_type):
    X = _hide(_data(2), "arbitrary", rate=0.3)
    model = emkit.Mixture(emkit.Gaussian(covariance_type), 2)
    with warnings.catch_warnings():
        _strict()
        result = fit(model, X, tol=0.0, max_iter=25, random_state=0)
    history = result.history
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-12)
    assert np.all(history.column("kl_gap") >= -1e-9)
    assert np.all(np.diff(history.column("evidence")) >= -1e-9)
    params = result.params
    full = STRUCTURES[covariance_type].full(params.components.covariances, 2, 3)
    assert result.log_likelihood == pytest.approx(
        observed_log_likelihood(X, params.weights, params.components.means, full), rel=1e-12)


# -- in memory, streamed, on Dask -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet", "npy", "dask"])
def test_the_same_fit_in_memory_streamed_and_on_dask(fmt, tmp_path):
    pd = pytest.importorskip("pandas")
    from emkit.sources import open_source

    X = _hide(_data(2, n=900), "arbitrary", rate=0.3)
    model = emkit.Mixture(emkit.Gaussian("full"), 2)
    start = model.init_params(Block(X), np.random.RandomState(0))
    backend = NumpyBackend(chunk_size=200)
    if fmt == "dask":
        da = pytest.importorskip("dask.array")
        from emkit.backends.dask_backend import DaskBackend

        data, backend = da.from_array(X, chunks=(250, 3)), DaskBackend(chunk_size=250)
    elif fmt == "npy":
        np.save(tmp_path / "x.npy", X)
        data = open_source(tmp_path / "x.npy")
    else:
        frame = pd.DataFrame(X, columns=["a", "b", "c"])
        path = tmp_path / f"x.{fmt}"
        frame.to_csv(path, index=False, float_format="%.17g") if fmt == "csv" else \
            frame.to_parquet(path, row_group_size=300)
        data = open_source(path, ["a", "b", "c"])
    reference = fit(model, X, init=start, backend=NumpyBackend(chunk_size=200), tol=0.0,
                    max_iter=8)
    other = fit(model, data, init=start, backend=backend, tol=0.0, max_iter=8)
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(other.params.get_path(path), leaf, rtol=1e-10, atol=1e-12,
                                   err_msg=path)
    np.testing.assert_allclose(other.history.column("evidence"),
                               reference.history.column("evidence"), rtol=1e-10)


def test_estimator_scores_and_imputes_a_streamed_file_like_the_array(tmp_path):
    from emkit.sources import open_source

    X = _hide(_data(2), "arbitrary")
    np.save(tmp_path / "x.npy", X)
    model = emkit.GaussianMixture(2, random_state=0).fit(X)
    source = open_source(tmp_path / "x.npy")
    np.testing.assert_allclose(model.score(source), model.score(X), rtol=1e-12)
    np.testing.assert_allclose(model.impute(source), model.impute(X), rtol=1e-12)


# -- HMMs ----------------------------------------------------------------------------------------
def _forward_log_likelihood(X, lengths, startprob, transmat, means, covariances):
    """Forward algorithm in log space on scipy's densities of the observed entries."""
    table = np.zeros((len(X), len(startprob)))
    for t, row in enumerate(X):
        o = ~np.isnan(row)
        for k in range(len(startprob)):
            table[t, k] = stats.multivariate_normal(
                means[k][o], covariances[k][np.ix_(o, o)]).logpdf(row[o]) if o.any() else 0.0
    total, start = 0.0, 0
    for length in lengths:
        alpha = np.log(startprob) + table[start]
        for t in range(start + 1, start + length):
            alpha = logsumexp(alpha[:, None] + np.log(transmat), axis=0) + table[t]
        total += logsumexp(alpha)
        start += length
    return total


def test_gaussian_hmm_with_missing_values():
    model = emkit.GaussianHMM(2, covariance_type="full", random_state=0)
    model.startprob_ = np.array([0.6, 0.4])
    model.transmat_ = np.array([[0.9, 0.1], [0.2, 0.8]])
    model.means_ = np.array([[0.0, 0.0, 0.0], [3.0, -2.0, 1.0]])
    model.covars_ = np.array([COV, 0.5 * COV])
    X, _ = model.sample(400)
    X = _hide(X, "arbitrary", rate=0.3)
    X[10] = np.nan  # a row with nothing observed stays in its sequence
    lengths = [150, 250]
    fitted = emkit.GaussianHMM(2, covariance_type="full", n_iter=30, tol=1e-6,
                               random_state=1)
    with warnings.catch_warnings():
        _strict()
        fitted.fit(X, lengths)
    history = fitted.history_
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-12)
    assert np.all(np.diff(history.column("evidence")) >= -1e-9)
    expected = _forward_log_likelihood(X, lengths, fitted.startprob_, fitted.transmat_,
                                       fitted.means_, fitted.covars_)
    assert fitted.score(X, lengths) == pytest.approx(expected, rel=1e-10)
    assert fitted.predict(X, lengths).shape == (400,)
    imputed = fitted.impute(X, lengths=lengths)
    assert not np.isnan(imputed).any()
    np.testing.assert_array_equal(imputed[~np.isnan(X)], X[~np.isnan(X)])


# -- bad input -------------------------------------------------------------------------------------
def test_rows_with_nothing_observed_are_dropped_with_a_warning_that_counts_them():
    X = _hide(_data(1), "arbitrary")
    X_more = np.vstack([X, np.full((2, 3), np.nan)])
    with pytest.warns(MissingDataWarning, match=r"2 row\(s\) of X \(of 302\) have no observed "
                                               r"value.*first at row 300.*dropped"):
        with_empty = emkit.GaussianMixture(1, random_state=0).fit(X_more)
    without = emkit.GaussianMixture(1, random_state=0).fit(X)
    np.testing.assert_array_equal(with_empty.means_, without.means_)


def test_a_column_with_nothing_observed_is_an_error():
    X = _data(1)
    X[:, 1] = np.nan
    with pytest.raises(ValueError, match=r"X column 1 has no observed value: all its 300 "
                                         r"entries are NaN.*Remove the column"):
        emkit.GaussianMixture(1).fit(X)


@pytest.mark.parametrize("estimator, family", [
    (emkit.MixtureModel(emkit.Multinomial(), 2), "Multinomial"),
    (emkit.MixtureModel(emkit.StudentT(), 2), "StudentT"),
])
def test_nan_for_a_family_without_missing_data_support_names_it_and_the_remedy(estimator,
                                                                              family):
    X = np.abs(np.round(_data(1) * 3))
    X[4, 2] = np.nan
    with pytest.raises(ValueError, match=rf"X column 2 has NaN at row 4.*{family} component "
                                         r"has no missing-data support. Remove or impute"):
        estimator.fit(X)


def test_infinity_is_an_error_not_a_missing_value():
    X = _hide(_data(1), "arbitrary")
    X[7, 0] = np.inf
    with pytest.raises(ValueError, match=r"X column 0 has infinity at row 7"):
        emkit.GaussianMixture(1).fit(X)
    fitted = emkit.GaussianMixture(1, random_state=0).fit(_hide(_data(1), "arbitrary"))
    with pytest.raises(ValueError, match=r"X column 0 has infinity at row 7"):
        fitted.score(X)


# -- families built on the Gaussian ----------------------------------------------------------------
def _anatomy_holds(history):
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-12)
    assert np.all(np.diff(history.column("evidence")) >= -1e-9)


def test_independent_gaussian_parts_leave_each_others_missing_entries_alone():
    X = _hide(_data(2), "arbitrary", rate=0.25)
    component = emkit.Independent([emkit.Gaussian("full"), emkit.Gaussian("diag")],
                                  widths=[2, 1])
    with warnings.catch_warnings():
        _strict()
        model = emkit.MixtureModel(component, 2, tol=0.0, max_iter=20, random_state=0).fit(X)
    _anatomy_holds(model.history_)
    params = model.params_
    means = [np.concatenate([params.components.c0.means[k], params.components.c1.means[k]])
             for k in range(2)]
    covariances = []
    for k in range(2):
        cov = np.zeros((3, 3))
        cov[:2, :2] = params.components.c0.covariances[k]
        cov[2, 2] = params.components.c1.covariances[k, 0]
        covariances.append(cov)
    assert model.score(X) * len(X) == pytest.approx(observed_log_likelihood(
        X, params.weights, np.array(means), np.array(covariances)), rel=1e-12)
    assert not np.isnan(model.impute(X)).any()


def test_gmm_hmm_with_missing_values_keeps_its_anatomy():
    X = _hide(_data(2), "arbitrary", rate=0.2)
    with warnings.catch_warnings():
        _strict()
        model = emkit.GMMHMM(2, n_mix=2, n_iter=15, tol=0.0, random_state=0).fit(X)
    _anatomy_holds(model.history_)
    imputed, std = model.impute(X, return_std=True)
    missing = np.isnan(X)
    np.testing.assert_array_equal(imputed[~missing], X[~missing])
    assert np.all(np.isfinite(imputed)) and np.all(std[missing] > 0)
