"""Gamma components near collapse (shapes up to 1e16) against mpmath at 50 digits: densities,
statistics computed at different parameters, the shape's M-step, and the anatomy of a fit
(no false AnatomyWarning or NonMonotoneWarning); exactly equal values end in the documented
collapse error.

scipy.stats.gamma is no reference here: ``a log b - lgamma(a) + (a - 1) log x - b x`` cancels
terms of size ``a log a`` in double precision too.
"""
import numpy as np
import pytest

import emkit
from emkit import Tree
from emkit.exceptions import ComponentCollapseError, ComponentCollapseWarning

mp = pytest.importorskip("mpmath").mp
mp.dps = 50


def reference_log_density(x, shape, rate):
    x, shape, rate = (mp.mpf(float(v)) for v in (x, shape, rate))
    return shape * mp.log(rate) - mp.loggamma(shape) + (shape - 1) * mp.log(x) - rate * x


def reference_shape(X, weights):
    """The weighted MLE of the shape: ``log a - digamma(a) = log xbar - mean(log x)``."""
    x, w = [mp.mpf(float(v)) for v in X], [mp.mpf(float(v)) for v in weights]
    n = mp.fsum(w)
    target = (mp.log(mp.fsum(a * b for a, b in zip(w, x)) / n)
              - mp.fsum(a * mp.log(b) for a, b in zip(w, x)) / n)
    return mp.findroot(lambda a: mp.log(a) - mp.digamma(a) - target, 1 / (2 * target))


def tight_values(mean, shape, n, rng):
    return mean * (1.0 + rng.standard_normal(n) / np.sqrt(shape))


@pytest.mark.parametrize("shape", [50.0, 2e4, 1e6, 1e10, 1e14])
def test_log_densities_match_mpmath_at_huge_shapes(shape):
    rng = np.random.default_rng(0)
    X = np.column_stack([tight_values(5.0, shape, 6, rng), rng.gamma(2.0, 1.0, 6)])
    X[2, 0] = np.nan  # a missing entry is left out
    params = Tree(shapes=np.array([[shape, 2.0]]), rates=np.array([[shape / 5.0, 1.5]]))
    expected = [float(sum(reference_log_density(x, a, b)
                          for x, a, b in zip(row, params.shapes[0], params.rates[0])
                          if not np.isnan(x))) for row in X]
    np.testing.assert_allclose(emkit.Gamma().log_prob(params, X)[:, 0], expected, rtol=1e-13)


@pytest.mark.parametrize("shape", [1e6, 1e12])
def test_statistics_at_different_parameters_add_to_the_exact_m_step(shape):
    rng = np.random.default_rng(1)
    X = tight_values(3.0, shape, 200, rng)[:, None]
    weights = rng.uniform(0.2, 1.0, (200, 1))
    component = emkit.Gamma()
    at = [Tree(shapes=np.array([[a]]), rates=np.array([[a / m]]))
          for a, m in ((shape, 3.0 * (1 + 3 / np.sqrt(shape))),
                       (0.5 * shape, 3.0 * (1 - 2 / np.sqrt(shape))))]
    total = (component.expected_stats(at[0], X[:120], weights[:120])
             + component.expected_stats(at[1], X[120:], weights[120:]))
    fitted = component.m_step(total, at[0])
    expected = reference_shape(X[:, 0], weights[:, 0])
    assert abs(float(fitted.shapes[0, 0] / expected) - 1) < 1e-10
    w, x = [mp.mpf(float(v)) for v in weights[:, 0]], [mp.mpf(float(v)) for v in X[:, 0]]
    mean = float(mp.fsum(a * b for a, b in zip(w, x)) / mp.fsum(w))
    np.testing.assert_allclose(fitted.shapes / fitted.rates, [[mean]], rtol=1e-15)


def mixture_log_likelihood(model, X):
    params, total = model.params_, mp.mpf(0)
    for x in X[:, 0]:
        terms = [mp.log(float(w)) + reference_log_density(x, a, b) for w, a, b in
                 zip(params.weights, params.components.shapes[:, 0],
                     params.components.rates[:, 0])]
        top = max(terms)
        total += top + mp.log(mp.fsum(mp.exp(t - top) for t in terms))
    return float(total)


@pytest.mark.filterwarnings("error::emkit.AnatomyWarning", "error::emkit.NonMonotoneWarning")
@pytest.mark.parametrize("noise", [1e-5, 1e-8])
def test_a_mixture_near_collapse_has_a_true_anatomy_and_evidence(noise):
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.gamma(2.0, 1.0, 60), 5.0 * (1 + noise * rng.randn(40))])[:, None]
    model = emkit.MixtureModel(emkit.Gamma(), 2, random_state=0).fit(X)
    assert model.params_.components.shapes.max() > 0.1 / noise ** 2
    np.testing.assert_allclose(model.score(X) * len(X), mixture_log_likelihood(model, X),
                               rtol=1e-12)


@pytest.mark.filterwarnings("error::emkit.AnatomyWarning", "error::emkit.NonMonotoneWarning")
@pytest.mark.parametrize("noise", [0.0, 1e-13])
def test_values_equal_to_within_rounding_end_in_the_documented_collapse(noise):
    """Exactly equal, or so close that the rounding of their mean alone would move the bound
    (a shape above 1e20): the documented collapse, never a false anatomy warning."""
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.gamma(2.0, 1.0, 60), 5.0 * (1 + noise * rng.randn(40))])[:, None]
    with pytest.raises(ComponentCollapseError, match="values are all equal, or equal to within"):
        emkit.MixtureModel(emkit.Gamma(), 2, random_state=0).fit(X)
    with pytest.warns(ComponentCollapseWarning, match="values are all equal"):
        emkit.MixtureModel(emkit.Gamma(on_collapse="keep"), 2, random_state=0).fit(X)


def test_online_recentring_moves_the_statistics_to_the_fresh_means():
    from emkit.engine.moments import recentre

    rng = np.random.default_rng(2)
    X, weights = tight_values(3.0, 1e10, 100, rng)[:, None], np.ones((100, 1))
    near = [Tree(shapes=np.array([[1e10]]), rates=np.array([[1e10 / m]]))
            for m in (3.0 * (1 + 2e-5), 3.0 * (1 - 1e-5))]
    old, fresh = (emkit.Gamma().expected_stats(p, X, weights) for p in near)
    moved = recentre(old, fresh).moments
    np.testing.assert_array_equal(moved.shift, fresh.moments.shift)
    np.testing.assert_allclose(moved.first, fresh.moments.first, rtol=1e-10)
    np.testing.assert_allclose(moved.spread, fresh.moments.spread, rtol=1e-10)


def one_component_start(shape, mean):
    return Tree(weights=np.ones(1),
                components=Tree(shapes=np.array([[shape]]), rates=np.array([[shape / mean]])))


@pytest.mark.filterwarnings("error::emkit.AnatomyWarning", "error::emkit.NonMonotoneWarning")
@pytest.mark.parametrize("noise", [1e-7, 1e-6, 1e-5])
def test_tight_data_from_a_moderate_shape_have_an_exact_anatomy(noise):
    """The statistics' precision follows the data, not the E-step's shape: from shape 5e3
    (below the shapes whose densities take the stable form) the M-step jumps to ~1/noise^2,
    and the bound there must still be the evidence. One component: the posterior is exact,
    so the KL gap after every M-step is rounding only."""
    X = 7.0 * (1 + noise * np.random.RandomState(0).randn(200))[:, None]
    result = emkit.engine.fit(emkit.Mixture(emkit.Gamma(), 1), X,
                              init=one_component_start(5e3, 7.0))
    assert np.abs(result.history.column("kl_gap")).max() < 1e-9 * len(X)
    expected = reference_shape(X[:, 0], np.ones(len(X)))
    assert abs(float(result.params.components.shapes[0, 0] / expected) - 1) < 1e-12


@pytest.mark.parametrize("noise", [1e-7, 1e-5, 1e-3])
@pytest.mark.parametrize("shape, offset", [(50.0, 0.0), (5e3, 0.0), (5e3, 3.0)])
def test_the_shape_m_step_is_exact_from_statistics_at_a_moderate_shape(noise, shape, offset):
    """Statistics about a mean at (or ``offset`` standard deviations from) the data's, at a
    shape below STABLE_SHAPE, give the weighted MLE of the shape to rounding."""
    rng = np.random.RandomState(1)
    X, weights = 7.0 * (1 + noise * rng.randn(200))[:, None], rng.uniform(0.2, 1.0, (200, 1))
    at = one_component_start(shape, 7.0 * (1 + offset * noise)).components
    component = emkit.Gamma()
    fitted = component.m_step(component.expected_stats(at, X, weights), at)
    expected = reference_shape(X[:, 0], weights[:, 0])
    assert abs(float(fitted.shapes[0, 0] / expected) - 1) < 1e-12


@pytest.mark.parametrize("noise", [None, 1e-6])
def test_the_start_statistics_take_memory_of_the_data_size_only(noise):
    """The start (no parameters) takes the stable form only where the data are tight, and
    sums it over blocks of rows: no array of shape (n_samples, K x n_features) is built
    (issue 13: a fit's memory is the data plus O(chunk x K) plus a fixed runtime)."""
    import tracemalloc

    rng = np.random.default_rng(3)
    n, D, K = 50_000, 10, 8
    X = (rng.gamma(2.0, 1.0, (n, D)) if noise is None
         else 5.0 * (1 + noise * rng.standard_normal((n, D))))
    weights = rng.dirichlet(np.ones(K), n)
    tracemalloc.start()
    try:
        stats = emkit.Gamma().expected_stats(None, X, weights)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * X.nbytes + 32 * 2 ** 20  # log x, one copy, and bounded blocks
    w = weights.T
    means = (w @ X) / w.sum(axis=1)[:, None]
    np.testing.assert_allclose(stats.moments.shift, means, rtol=1e-14)
    expected = [[np.sum(w[k] * series_or_direct_divergence(X[:, d], means[k, d]))
                 for d in range(D)] for k in range(K)]
    np.testing.assert_allclose(stats.moments.spread, expected, rtol=1e-10)


def series_or_direct_divergence(x, mean):
    """``d(x / m)``: its Taylor series in ``u = (x - m) / m`` to u^4 for |u| < 1e-4
    (truncation below 1e-12 relative), else ``u - log(x / m)`` directly."""
    u = (x - mean) / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(u) < 1e-4, u * u * (0.5 - u / 3 + u * u / 4),
                        u - np.log(x / mean))
