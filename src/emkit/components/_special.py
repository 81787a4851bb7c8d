"""Root finders shared by the M-steps of the Gamma, Beta and Student-t families.

Each solver is vectorised over arrays of independent problems and iterates Newton's method to
working precision (see :class:`PrecisionStop`), so that an M-step built on it truly maximises
the bound.
"""
from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["PrecisionStop", "gamma_shape", "inverse_digamma", "iterate", "log_gamma_ratio",
           "log_minus_digamma", "stirling_gap", "xlogx_minus_lgamma"]

_EPS = np.finfo(float).eps
_MAX_ITER = 100


#: Above this argument ``log(a) - digamma(a)`` is summed from its asymptotic series, whose
#: first omitted term is below 1e-16 relative there; below it the direct difference is exact
#: to a few ulps.
_SERIES_FROM = 20.0


def log_minus_digamma(a):
    """``log(a) - digamma(a)`` and its derivative ``1/a - trigamma(a)``, without cancellation.

    Parameters
    ----------
    a : ndarray of positive values

    Returns
    -------
    value, slope : ndarray, ndarray
        Both of the shape of ``a``.
    """
    a = np.asarray(a, dtype=float)
    big = np.maximum(a, _SERIES_FROM)
    inv = 1.0 / big
    inv2 = inv * inv
    series = inv * (0.5 + inv * (1 / 12 + inv2 * (-1 / 120 + inv2 * (
        1 / 252 + inv2 * (-1 / 240 + inv2 / 132)))))
    series_slope = -inv2 * (0.5 + inv * (1 / 6 + inv2 * (-1 / 30 + inv2 * (
        1 / 42 + inv2 * (-1 / 30 + inv2 * 5 / 66)))))
    small = np.minimum(a, _SERIES_FROM)
    direct = np.log(small) - special.digamma(small)
    direct_slope = 1.0 / small - special.polygamma(1, small)
    use_series = a >= _SERIES_FROM
    return np.where(use_series, series, direct), np.where(use_series, series_slope,
                                                          direct_slope)


#: Stirling's series ``lgamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2) =
#: sum_j c_j / x^(2j+1)``: its coefficients ``c_j = B_2(j+1) / ((2j+1)(2j+2))``. The compiled
#: Poisson kernel (``_discrete_kernels``) sums the same series.
STIRLING_SERIES = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188)


def _stirling_correction(x):
    """``lgamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2)`` for x >= 15 (to ~1e-16)."""
    inv = 1.0 / x
    inv2 = inv * inv
    total = 0.0
    for coefficient in STIRLING_SERIES[::-1]:
        total = coefficient + inv2 * total
    return inv * total


def log_gamma_ratio(a, h):
    """``lgamma(a + h) - lgamma(a)`` without the cancellation of two large log-gammas.

    Parameters
    ----------
    a : ndarray of positive values
    h : float > 0

    Notes
    -----
    For ``a >= 20`` Stirling's series gives
    ``(a - 1/2) log1p(h / a) + h log(a + h) - h + c(a + h) - c(a)`` with the small correction
    ``c``; every term is well conditioned. Below, the direct difference is exact enough.
    """
    a = np.asarray(a, dtype=float)
    big = np.maximum(a, _SERIES_FROM)
    stirling = ((big - 0.5) * np.log1p(h / big) + h * np.log(big + h) - h
                + _stirling_correction(big + h) - _stirling_correction(big))
    small = np.minimum(a, _SERIES_FROM)
    return np.where(a >= _SERIES_FROM, stirling,
                    special.gammaln(small + h) - special.gammaln(small))


def xlogx_minus_lgamma(a):
    """``a log a - lgamma(a)`` (the log normaliser of Gamma(a, rate a)), stable for large a.

    For ``a >= 20``: ``a + log(a) / 2 - log(2 pi) / 2 - c(a)`` with Stirling's correction c.
    """
    a = np.asarray(a, dtype=float)
    big = np.maximum(a, _SERIES_FROM)
    stirling = big + 0.5 * np.log(big) - 0.5 * np.log(2.0 * np.pi) - _stirling_correction(big)
    small = np.minimum(a, _SERIES_FROM)
    return np.where(a >= _SERIES_FROM, stirling, small * np.log(small) - special.gammaln(small))


def stirling_gap(a):
    """``lgamma(a) - a log a + a``, without the cancellation of its terms of size a log a.

    For ``a >= 20``: ``log(2 pi / a) / 2 + c(a)`` with Stirling's correction c (exact to
    rounding, however large a); below, the direct sum.

    Parameters
    ----------
    a : ndarray of positive values

    Returns
    -------
    ndarray of the shape of ``a``
    """
    a = np.asarray(a, dtype=float)
    big = np.maximum(a, _SERIES_FROM)
    stirling = 0.5 * np.log(2.0 * np.pi / big) + _stirling_correction(big)
    small = np.minimum(a, _SERIES_FROM)
    return np.where(a >= _SERIES_FROM, stirling,
                    special.gammaln(small) - small * np.log(small) + small)


class PrecisionStop:
    """Decides when Newton iterates have reached working precision, elementwise.

    An entry has converged when its relative change is a few ulps, or when the change is
    small (below 1e-10) and no longer shrinking: Newton steps shrink quadratically until
    rounding in the function evaluations (the conditioning of the root) takes over, and
    further steps only jitter in the last bits.
    Non-finite entries (no root) count as converged, and a converged entry stays so.
    """

    def __init__(self):
        self.previous = np.inf
        self.done = False

    def __call__(self, old, new) -> bool:
        """Record one step from ``old`` to ``new``; True once every entry has converged."""
        with np.errstate(invalid="ignore", divide="ignore"):
            change = np.abs(new - old) / np.abs(new)
        change = np.where(np.isfinite(change), change, 0.0)
        self.done = self.done | (change <= 4.0 * _EPS) | (
            (change <= 1e-10) & (change >= self.previous))
        self.previous = change
        return bool(np.all(self.done))


def iterate(update, x):
    """Apply ``x <- update(x)`` until :class:`PrecisionStop` says so (at most 100 times)."""
    stop = PrecisionStop()
    for _ in range(_MAX_ITER):
        new = update(x)
        converged = stop(x, new)
        x = new
        if converged:
            break
    return x


def gamma_shape(s):
    """Solve ``log(a) - digamma(a) = s`` for ``a > 0``, elementwise.

    Parameters
    ----------
    s : ndarray
        ``log(mean x) - mean(log x)`` (> 0 by Jensen's inequality unless all x are equal).

    Returns
    -------
    ndarray of the shape of ``s``
        The Gamma shape maximising the likelihood; NaN where ``s <= 0`` or ``s`` is NaN
        (no finite root).

    Notes
    -----
    The left side decreases from infinity to 0 on ``(0, inf)``, so the root is unique.
    Starting from Minka's approximation
    ``a0 = (3 - s + sqrt((s - 3)^2 + 24 s)) / (12 s)``, Newton's method on ``1 / a``
    (Minka 2002, "Estimating a Gamma distribution") converges in a handful of steps:
    ``1/a <- 1/a + (log a - digamma(a) - s) / (a^2 (1/a - trigamma(a)))``.
    """
    s = np.asarray(s, dtype=float)
    valid = s > 0
    s_ok = np.where(valid, s, 1.0)
    start = (3.0 - s_ok + np.sqrt((s_ok - 3.0) ** 2 + 24.0 * s_ok)) / (12.0 * s_ok)

    def newton_on_reciprocal(a):
        value, slope = log_minus_digamma(a)
        return 1.0 / (1.0 / a + (value - s_ok) / (a * a * slope))

    return np.where(valid, iterate(newton_on_reciprocal, start), np.nan)


def inverse_digamma(y):
    """Solve ``digamma(x) = y`` for ``x > 0``, elementwise.

    Parameters
    ----------
    y : ndarray

    Returns
    -------
    ndarray of the shape of ``y``

    Notes
    -----
    Newton's method from Minka's starting point (``exp(y) + 1/2`` for ``y >= -2.22``,
    ``-1 / (y + euler_gamma)`` below), as in Minka (2000), "Estimating a Dirichlet
    distribution". ``digamma`` is increasing and concave on (0, inf), so the iterates stay
    positive and converge quadratically.
    """
    y = np.asarray(y, dtype=float)
    start = np.where(y >= -2.22, np.exp(np.minimum(y, 700.0)) + 0.5,
                     -1.0 / (y - special.digamma(1.0)))
    return iterate(lambda x: x - (special.digamma(x) - y) / special.polygamma(1, x), start)
