"""Factor models with missing values (NaN, missing at random): the observed-data likelihood,
its maximum by scipy.optimize, the anatomy, imputation."""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.components.factor_analyzer._kernels import (
    factor_posterior,
    gaussian_entropy,
    row_stats,
)
from emkit.components.factor_analyzer._moments import FactorMoments
from emkit.components.factor_analyzer._posterior import FactorPosterior
from emkit.engine.data import Block
from emkit.engine.tree import Tree
from emkit.models import FactorAnalysis, Mixture
from emkit.testing import check_model


def correlated(n_samples=300, n_features=6, n_factors=2, seed=0, fraction=0.3):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n_features, n_factors)) * 1.5
    X = (rng.normal(size=n_features) + rng.normal(size=(n_samples, n_factors)) @ loadings.T
         + rng.normal(size=(n_samples, n_features)) * 0.5)
    holes = rng.random(X.shape) < fraction
    holes[np.all(holes, axis=1), 0] = False             # every row observes something
    return X, np.where(holes, np.nan, X)


def observed_log_likelihood(mean, covariance, X):
    """sum_i log N(x_io | mean_o, C_oo) with scipy, the rows grouped by observed entries."""
    seen = ~np.isnan(X)
    total = 0.0
    for pattern in np.unique(seen, axis=0):
        rows = X[np.all(seen == pattern, axis=1)][:, pattern]
        law = stats.multivariate_normal(mean[pattern], covariance[np.ix_(pattern, pattern)])
        total += np.sum(np.atleast_1d(law.logpdf(rows)))
    return total


def observed_log_likelihood_by_cholesky(mean, covariance, groups):
    """The same sum by numpy's Cholesky (fast enough to optimise), rows grouped beforehand."""
    total = 0.0
    for pattern, rows in groups:
        lower = np.linalg.cholesky(covariance[np.ix_(pattern, pattern)])
        white = np.linalg.solve(lower, (rows - mean[pattern]).T)
        total -= 0.5 * (np.sum(white ** 2) + len(rows) * (
            pattern.sum() * np.log(2 * np.pi) + 2 * np.sum(np.log(np.diag(lower)))))
    return total


def test_the_evidence_is_the_density_of_the_observed_entries():
    _, X = correlated(60)
    model = FactorAnalysis(2)
    params = model.init_params(Block(X), np.random.RandomState(0))
    expected = observed_log_likelihood(params.mean, model.covariance(params), X)
    assert model.e_step(params, Block(X)).loglik == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("noise", ["diagonal", "isotropic"])
def test_the_anatomy_passes_with_missing_entries(noise):
    _, X = correlated(150, seed=1)
    check_model(FactorAnalysis(2, noise=noise), X, n_iter=15, log_joint=False)
    check_model(Mixture(emkit.FactorAnalyzer(1, noise=noise), 2), X, n_iter=10)


def test_em_reaches_the_maximum_of_the_observed_likelihood_found_by_scipy():
    _, X = correlated(80, n_features=5, n_factors=1, seed=2)
    model = FactorAnalysis(1)
    result = emkit.fit(model, X, tol=1e-10, max_iter=5000)
    n_features = X.shape[1]

    def negative(vector):  # mean, loadings, log noise variances
        mean, loadings = vector[:n_features], vector[n_features:2 * n_features, None]
        covariance = loadings @ loadings.T + np.diag(np.exp(vector[2 * n_features:]))
        return -observed_log_likelihood_by_cholesky(mean, covariance, groups)

    seen = ~np.isnan(X)
    groups = [(pattern, X[np.all(seen == pattern, axis=1)][:, pattern])
              for pattern in np.unique(seen, axis=0)]

    start = model.init_params(Block(X), np.random.RandomState(0))
    found = optimize.minimize(negative, np.concatenate(
        [start.mean, start.loadings[:, 0], np.log(start.noise_variance)]), method="BFGS",
        options={"gtol": 1e-9})
    assert result.n_iter < 5000
    assert -found.fun == pytest.approx(observed_log_likelihood(
        found.x[:n_features], np.outer(found.x[n_features:2 * n_features],
                                       found.x[n_features:2 * n_features])
        + np.diag(np.exp(found.x[2 * n_features:])), X), rel=1e-12)
    print(f"EM {result.log_likelihood!r}, BFGS {-found.fun!r}, {found.message}")
    assert result.log_likelihood == pytest.approx(-found.fun, rel=1e-6)
    assert result.log_likelihood >= -found.fun - 1e-6 * abs(found.fun)


def test_imputation_beats_column_means_on_correlated_data():
    complete, X = correlated(400, n_features=8, n_factors=2, seed=3, fraction=0.3)
    holes = np.isnan(X)
    fa = emkit.FactorAnalysis(2, tol=1e-6).fit(X)
    filled, std = fa.impute(X, return_std=True)
    column_means = np.where(holes, np.nanmean(X, axis=0), X)
    ours = np.sqrt(np.mean((filled[holes] - complete[holes]) ** 2))
    baseline = np.sqrt(np.mean((column_means[holes] - complete[holes]) ** 2))
    print(f"RMSE of imputation: factor analysis {ours:.3f}, column means {baseline:.3f}")
    assert ours < 0.5 * baseline
    np.testing.assert_array_equal(filled[~holes], X[~holes])
    assert np.all(std[~holes] == 0) and np.all(std[holes] > 0)


def test_the_estimators_work_on_incomplete_rows():
    _, X = correlated(200, seed=4)
    X[5] = np.nan
    with pytest.warns(emkit.exceptions.MissingDataWarning, match="1 row"):
        fa = emkit.FactorAnalysis(2).fit(X)
    kept = ~np.all(np.isnan(X), axis=1)
    assert fa.transform(X[kept]).shape == (kept.sum(), 2)
    expected = observed_log_likelihood(fa.mean_, fa.get_covariance(), X[kept][:20])
    assert fa.score_samples(X[kept][:20]).sum() == pytest.approx(expected, rel=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        mfa = emkit.MixtureOfFactorAnalyzers(2, n_factors=1, random_state=0, max_iter=20).fit(
            X[kept])
    assert mfa.predict(X[kept]).shape == (kept.sum(),)


def test_an_unobserved_column_is_an_error():
    _, X = correlated(50)
    X[:, 2] = np.nan
    with pytest.raises(ValueError, match="column 2 has no observed value"):
        emkit.FactorAnalysis(2).fit(X)


class _CompleteOnlyAnalyzer(emkit.FactorAnalyzer):
    """The factor analyser as it was before missing data: one factor per component, shared
    posterior covariance, no pattern machinery."""

    def posterior(self, params, X):
        noise, factors = self.noise_matrix(params), self.factors(params)
        means = np.empty((X.shape[0], len(factors), self.n_factors))
        log_prob = np.empty((X.shape[0], len(factors)))
        for k, factor in enumerate(factors):
            means[:, k], log_prob[:, k] = factor_posterior(X, params.means[k], factor, noise[k])
        return FactorPosterior(means, np.stack([f.covariance for f in factors]), log_prob, None,
                               np.zeros((len(X), len(factors))))

    def stats_from_posterior(self, params, X, weights, posterior):
        fields = [row_stats(X, weights[:, k], params.means[k], posterior.means[:, k],
                            posterior.covariances[k]) for k in range(weights.shape[1])]
        columns = [np.array(column) for column in zip(*fields)]
        entropy = columns[0] * np.array([gaussian_entropy(c) for c in posterior.covariances])
        return Tree(moments=FactorMoments(*columns, np.asarray(params.means)), entropy=entropy)


class _Analyzer(emkit.FactorAnalyzer):
    """The shipped analyser unchanged, as a subclass like the one above: a subclass and the
    class itself can differ in the last bit (the engine keys some dispatch on the class), so
    the two sides of the comparison go through the same one."""


def _same_fits(models, X):
    start = models[0].init_params(Block(X), np.random.RandomState(0))
    fits = [emkit.fit(model, X, init=start, tol=0.0, max_iter=15) for model in models]
    for path, leaf in fits[1].params.paths().items():
        np.testing.assert_array_equal(fits[0].params.get_path(path), leaf, err_msg=path)
    for column in ("evidence", "bound_m"):
        np.testing.assert_array_equal(fits[0].history.column(column),
                                      fits[1].history.column(column))


@pytest.mark.parametrize("noise", ["diagonal", "isotropic"])
def test_without_nan_the_fit_is_the_complete_data_fit_bit_for_bit(noise):
    complete, _ = correlated(120, seed=6)
    models = [FactorAnalysis(2, noise=noise), FactorAnalysis(2, noise=noise)]
    models[0].analyzer, models[1].analyzer = (_Analyzer(2, noise=noise),
                                              _CompleteOnlyAnalyzer(2, noise=noise))
    _same_fits(models, complete)
    _same_fits([Mixture(_Analyzer(1, noise=noise), 2),
                Mixture(_CompleteOnlyAnalyzer(1, noise=noise), 2)], complete)
