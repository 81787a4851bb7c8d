"""Very tight von Mises-Fisher components (concentrations up to 1e14) against mpmath at 50
digits: densities, the Bessel functions behind them, the concentration's M-step, and the
anatomy of a fit (no false AnatomyWarning: the bound after the E-step equals the evidence).

scipy.stats.vonmises_fisher is no reference here: it loses digits from kappa ~ 1e6 and gives
NaN from kappa ~ 1e10 (its ``ive`` does), so the reference is the closed form evaluated in
arbitrary precision, on the directions ``x / |x|`` of the stored rows.
"""
import numpy as np
import pytest

import emkit
from emkit import Tree
from emkit.components._bessel import log_bessel_ive
from emkit.components.von_mises_fisher import concentration_from_gap
from emkit.exceptions import ComponentCollapseError, ComponentCollapseWarning

mp = pytest.importorskip("mpmath").mp
mp.dps = 50


def unit(rows):
    rows = np.asarray(rows, dtype=float)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def reference_log_density(x, direction, kappa):
    """``log C_D(kappa) + kappa mu'x`` at 50 digits, for the directions of x and mu."""
    x, direction = [mp.mpf(float(v)) for v in x], [mp.mpf(float(v)) for v in direction]
    cosine = (mp.fsum(a * b for a, b in zip(x, direction))
              / mp.sqrt(mp.fsum(a * a for a in x) * mp.fsum(b * b for b in direction)))
    order, kappa = mp.mpf(len(x)) / 2 - 1, mp.mpf(float(kappa))
    log_c = (order * mp.log(kappa) - mp.mpf(len(x)) / 2 * mp.log(2 * mp.pi)
             - mp.log(mp.besseli(order, kappa)))
    return log_c + kappa * cosine


def tight_rows(direction, kappa, n, rng):
    """n unit rows about ``direction`` at the spread of a vMF with concentration kappa."""
    return unit(direction + rng.standard_normal((n, len(direction))) / np.sqrt(kappa))


@pytest.mark.parametrize("n_features", [3, 5, 10])
@pytest.mark.parametrize("kappa", [1e3, 1e6, 1e10, 1e14])
def test_log_densities_match_mpmath_at_large_concentrations(n_features, kappa):
    rng = np.random.default_rng(n_features)
    mu = unit(rng.standard_normal(n_features))
    X = np.vstack([tight_rows(mu, kappa, 4, rng), unit(rng.standard_normal((2, n_features)))])
    params = Tree(mean_directions=mu[None], concentrations=np.array([kappa]))
    expected = [float(reference_log_density(x, mu, kappa)) for x in X]
    np.testing.assert_allclose(emkit.VonMisesFisher().log_prob(params, X)[:, 0], expected,
                               rtol=1e-13)


@pytest.mark.parametrize("order, x", [(0.5, 1e9), (0.5, 1e16), (4.0, 1e12), (50.0, 3e10),
                                      (3000.0, 1e10), (5000.0, 1e9)])
def test_log_bessel_ive_beyond_the_range_of_scipy(order, x):
    expected = mp.log(mp.besseli(order, x)) - x
    np.testing.assert_allclose(log_bessel_ive(order, np.array([x])), [float(expected)],
                               rtol=1e-14)


@pytest.mark.parametrize("n_features", [3, 10, 100])
@pytest.mark.parametrize("gap", [0.5, 1e-3, 1e-9, 1e-15])
def test_the_concentration_solves_the_resultant_gap_to_full_precision(n_features, gap):
    kappa = concentration_from_gap(np.array([gap]), n_features)[0]
    order, kappa = mp.mpf(n_features) / 2, mp.mpf(float(kappa))
    achieved = 1 - mp.besseli(order, kappa) / mp.besseli(order - 1, kappa)
    assert abs(float(achieved / gap) - 1.0) < 1e-12


def mixture_log_likelihood(model, X):
    """The evidence of a fitted mixture at 50 digits, row by row."""
    params = model.params_
    total = mp.mpf(0)
    for x in X:
        terms = [mp.log(float(w)) + reference_log_density(x, mu, kappa)
                 for w, mu, kappa in zip(params.weights, params.components.mean_directions,
                                         params.components.concentrations)]
        top = max(terms)
        total += top + mp.log(mp.fsum(mp.exp(t - top) for t in terms))
    return float(total)


@pytest.mark.filterwarnings("error::emkit.AnatomyWarning", "error::emkit.NonMonotoneWarning")
@pytest.mark.parametrize("noise", [1e-5, 1e-7])
def test_a_tight_mixture_has_a_true_anatomy_and_evidence(noise):
    rng = np.random.RandomState(0)
    X = unit(np.repeat(rng.randn(2, 3), 50, axis=0) + noise * rng.randn(100, 3))
    model = emkit.MixtureModel(emkit.VonMisesFisher(), 2, random_state=0).fit(X)
    assert np.all(model.params_.components.concentrations > 0.1 / noise ** 2)
    np.testing.assert_allclose(model.score(X) * len(X), mixture_log_likelihood(model, X),
                               rtol=1e-13)


@pytest.mark.filterwarnings("error::emkit.AnatomyWarning", "error::emkit.NonMonotoneWarning")
@pytest.mark.parametrize("noise", [0.0, 1e-12])
def test_directions_equal_to_within_rounding_end_in_the_documented_collapse(noise):
    """Equal directions (their chords to the rounded mean direction are ~eps^2, not 0) or
    directions so close that the rounding of the mean direction alone would move the bound
    (a concentration above 1e20): the documented collapse."""
    rng = np.random.RandomState(0)
    X = unit(np.repeat(rng.randn(2, 3), 30, axis=0) + noise * rng.randn(60, 3))
    with pytest.raises(ComponentCollapseError, match="directions are all equal, or equal to"):
        emkit.MixtureModel(emkit.VonMisesFisher(), 2, random_state=0).fit(X)
    with pytest.warns(ComponentCollapseWarning, match="directions are all equal"):
        emkit.MixtureModel(emkit.VonMisesFisher(on_collapse="keep"), 2, random_state=0).fit(X)


def test_rows_normalised_in_float32_score_as_their_directions():
    # at kappa 1e14 a row off the sphere by float32 rounding (|x| - 1 ~ 6e-8) moved its log
    # density by O(1); a vMF scores the direction x / |x|
    rng = np.random.default_rng(3)
    kappa = 1e14
    mu = unit(rng.standard_normal(5))
    X = unit(tight_rows(mu, kappa, 6, rng).astype(np.float32)).astype(np.float32).astype(float)
    assert np.abs(np.linalg.norm(X, axis=1) - 1).max() > 1e-9
    params = Tree(mean_directions=mu[None], concentrations=np.array([kappa]))
    expected = [float(reference_log_density(x, mu, kappa)) for x in X]
    # |x| - 1 comes from the float64 sum of squares (rounding ~1e-16), so the direction's
    # squared chord is known to ~2 |delta| 1e-16 and the log density to ~kappa |delta| 1e-16
    # (6e-10 here); taken as the row itself it was off by kappa delta^2 / 2 (~0.2)
    delta = np.abs(np.linalg.norm(X, axis=1) - 1).max()
    np.testing.assert_allclose(emkit.VonMisesFisher().log_prob(params, X)[:, 0], expected,
                               rtol=0, atol=2 * kappa * delta * 1e-16)
