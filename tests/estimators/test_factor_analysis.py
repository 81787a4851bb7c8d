"""emkit.FactorAnalysis against scikit-learn's, and PPCA against the eigendecomposition."""
import warnings

import numpy as np
import pytest
from scipy import optimize, stats
from sklearn import decomposition
from sklearn.datasets import load_wine

import emkit


def simulated(n_samples=500, n_features=8, n_factors=2, seed=0):
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(n_features, n_factors))
    noise = rng.uniform(0.2, 1.0, n_features)
    return (rng.normal(size=(n_samples, n_factors)) @ loadings.T + 3 * rng.normal(size=n_features)
            + rng.normal(size=(n_samples, n_features)) * np.sqrt(noise))


def wine():
    X = load_wine().data
    return X / X.std(axis=0)


DATA = {"simulated": simulated, "wine": wine}


@pytest.fixture(scope="module", params=sorted(DATA))
def fitted(request):
    """Both libraries fitted to convergence on one data set (tol on the total log-likelihood)."""
    X = DATA[request.param]()
    ours = emkit.FactorAnalysis(2, tol=1e-8, max_iter=5000).fit(X)
    theirs = decomposition.FactorAnalysis(2, tol=1e-8, max_iter=5000).fit(X)
    return X, ours, theirs


def test_the_maximum_likelihood_is_scikit_learns(fitted):
    X, ours, theirs = fitted
    assert ours.converged_ and theirs.n_iter_ < 5000
    assert ours.loglike_[-1] == pytest.approx(theirs.loglike_[-1], rel=1e-6)
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-6)


def test_the_fitted_attributes_have_scikit_learns_shapes(fitted):
    X, ours, theirs = fitted
    for name in ("components_", "noise_variance_", "mean_"):
        assert np.shape(getattr(ours, name)) == np.shape(getattr(theirs, name))
    assert ours.n_iter_ == len(ours.loglike_) == len(ours.history_)
    np.testing.assert_allclose(ours.mean_, X.mean(axis=0), rtol=1e-12)


def test_every_iteration_closes_the_gap_and_never_lowers_the_evidence(fitted):
    _, ours, _ = fitted
    history = ours.history_
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-10)
    assert np.all(np.diff(history.column("evidence")) >= -1e-9 * abs(ours.loglike_[-1]))


def test_transform_score_and_precision_agree_with_independent_formulas(fitted):
    X, ours, theirs = fitted
    # scikit-learn's transform and score_samples evaluated at OUR parameters
    theirs = decomposition.FactorAnalysis(2)
    theirs.components_, theirs.noise_variance_ = ours.components_, ours.noise_variance_
    theirs.mean_, theirs.n_features_in_ = ours.mean_, X.shape[1]
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-9, atol=1e-12)
    covariance = ours.components_.T @ ours.components_ + np.diag(ours.noise_variance_)
    np.testing.assert_allclose(ours.get_covariance(), covariance, rtol=1e-12)
    np.testing.assert_allclose(ours.get_precision(), np.linalg.inv(covariance), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(ours.score_samples(X), stats.multivariate_normal(
        ours.mean_, covariance).logpdf(X), rtol=1e-12)


def orthomax(loadings, gamma):
    squares = loadings ** 2
    return np.sum(squares ** 2) - gamma / len(loadings) * np.sum(squares.sum(axis=0) ** 2)


def best_rotation(loadings, gamma):
    """The orthomax maximiser over the one angle of a two-factor rotation, by scipy."""
    def turned(angle):
        c, s = np.cos(angle), np.sin(angle)
        return loadings @ np.array([[c, -s], [s, c]])

    grid = np.linspace(0, np.pi / 2, 721)
    start = grid[np.argmax([orthomax(turned(a), gamma) for a in grid])]
    found = optimize.minimize_scalar(lambda a: -orthomax(turned(a), gamma),
                                     bounds=(start - 0.01, start + 0.01), method="bounded",
                                     options={"xatol": 1e-12})
    return turned(found.x)


@pytest.mark.parametrize("method, gamma", [("varimax", 1.0), ("quartimax", 0.0)])
def test_rotation_keeps_the_covariance_and_reaches_the_orthomax_optimum(method, gamma):
    X = simulated(seed=4)
    plain = emkit.FactorAnalysis(2).fit(X)
    ours = emkit.FactorAnalysis(2, rotation=method).fit(X)
    np.testing.assert_allclose(ours.get_covariance(), plain.get_covariance(), rtol=1e-10)
    reference = best_rotation(plain.components_.T, gamma).T
    # the optimum is unique up to the order and signs of the factors
    order = np.argmax(np.abs(ours.components_ @ reference.T), axis=1)
    matched = reference[order]
    signs = np.sign(np.sum(ours.components_ * matched, axis=1))[:, None]
    np.testing.assert_allclose(ours.components_, signs * matched, atol=1e-6)


def test_the_rotation_name_is_checked():
    with pytest.raises(ValueError, match="rotation must be None or one of"):
        emkit.FactorAnalysis(2, rotation="promax").fit(simulated())


def test_more_components_than_features_is_a_clear_error():
    X = simulated(n_features=4)
    with pytest.raises(ValueError, match=r"n_components=5 must be <= n_features = 4"):
        emkit.FactorAnalysis(n_components=5).fit(X)
    with pytest.raises(ValueError, match=r"n_components=5 must be <= n_features = 4"):
        emkit.PPCA(n_components=5).fit(X)


def test_a_failed_fit_leaves_the_earlier_fit_and_the_data_untouched():
    X = simulated(n_features=4)
    before = X.copy()
    model = emkit.FactorAnalysis(2).fit(X)
    components = model.components_.copy()
    model.set_params(n_components=9)
    with pytest.raises(ValueError):
        model.fit(X)
    np.testing.assert_array_equal(model.components_, components)
    np.testing.assert_array_equal(X, before)


def test_infinite_values_are_refused_naming_the_place():
    X = simulated()
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="column 1 has infinity at row 3"):
        emkit.FactorAnalysis(2).fit(X)


def principal(X, n_components):
    values, vectors = np.linalg.eigh(np.cov(X.T, bias=True))
    order = np.argsort(values)[::-1]
    return vectors[:, order[:n_components]], values[order[n_components:]].mean()


@pytest.mark.parametrize("seed", [0, 5])
def test_ppca_is_the_principal_subspace_with_the_mean_discarded_variance(seed):
    X = simulated(400, 7, 3, seed)
    ppca = emkit.PPCA(3, init="random", tol=1e-11, max_iter=20000, random_state=seed).fit(X)
    axes, discarded = principal(X, 3)
    basis, _ = np.linalg.qr(ppca.components_.T)
    np.testing.assert_allclose(basis @ basis.T, axes @ axes.T, atol=1e-6)
    assert ppca.noise_variance_ == pytest.approx(discarded, rel=1e-6)
    assert ppca.n_iter_ > 5  # it was EM, from a random start, that got there


def test_ppca_from_the_principal_start_is_already_at_the_maximum():
    X = simulated(300, 6, 2, 2)
    ppca = emkit.PPCA(2, svd_method="lapack", tol=1e-10).fit(X)
    assert ppca.n_iter_ <= 3
    assert ppca.noise_variance_ == pytest.approx(principal(X, 2)[1], rel=1e-9)


def test_fit_transform_equals_fit_then_transform():
    X = simulated()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(emkit.FactorAnalysis(2).fit_transform(X),
                                   emkit.FactorAnalysis(2).fit(X).transform(X), rtol=1e-12)
    names = emkit.FactorAnalysis(2).fit(X).get_feature_names_out()
    assert list(names) == ["factoranalysis0", "factoranalysis1"]


@pytest.mark.parametrize("estimator", [
    emkit.FactorAnalysis(2, rotation="varimax", noise_variance_init=np.ones(8)),
    emkit.PPCA(2), emkit.MixtureOfFactorAnalyzers(2, n_factors=1, random_state=0)],
    ids=lambda e: type(e).__name__)
def test_a_model_file_gives_back_the_same_fitted_estimator(estimator, tmp_path):
    from emkit import persist

    X = simulated()
    estimator.fit(X)
    persist.save(estimator, tmp_path / "model")
    loaded = persist.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.score_samples(X), estimator.score_samples(X))
    np.testing.assert_array_equal(loaded.history_.column("evidence"),
                                  estimator.history_.column("evidence"))


def test_the_docstring_examples_run_and_print_what_they_show():
    import doctest

    from emkit.estimators import factor_analysis, mixture_of_factor_analyzers

    for module in (factor_analysis, mixture_of_factor_analyzers):
        failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert attempted > 0 and failed == 0


def test_chunked_threaded_and_dask_fits_equal_the_one_block_fit():
    """Statistics of blocks add up (rows' moments moved to one point), whatever the backend."""
    da = pytest.importorskip("dask.array")

    X = simulated(300, 6, 2, 7)
    options = dict(n_components=2, tol=0.0, max_iter=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        whole = emkit.FactorAnalysis(**options, chunk_size=10_000).fit(X)
        chunked = emkit.FactorAnalysis(**options, chunk_size=37, n_jobs=2).fit(X)
        dask = emkit.FactorAnalysis(**options).fit(da.from_array(X, chunks=(70, 6)))
    for other in (chunked, dask):
        np.testing.assert_allclose(other.loglike_, whole.loglike_, rtol=1e-10)
        np.testing.assert_allclose(other.components_, whole.components_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(other.noise_variance_, whole.noise_variance_, rtol=1e-9)
