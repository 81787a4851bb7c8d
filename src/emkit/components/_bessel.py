"""Modified Bessel functions of the first kind in log space, for the von Mises-Fisher family.

``log I_nu(x)`` and ``log(I_nu(x) e^-x)`` stable for large x and for large order, and the gap
``1 - I_nu(x) / I_{nu-1}(x)`` without cancellation at large x (where the ratio, the mean
resultant length, is within rounding of 1).
"""
from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["expansion_holds_from", "log_bessel_debye", "log_bessel_debye_scaled",
           "log_bessel_hankel_scaled", "log_bessel_iv", "log_bessel_ive", "log_bessel_series",
           "resultant_gap_expansion"]


def log_bessel_iv(order, x):
    """``log I_order(x)`` for x > 0, stable for large x and for large order: ``x`` plus
    :func:`log_bessel_ive`."""
    x = np.asarray(x, dtype=float)
    return log_bessel_ive(order, x) + x


#: Most terms :func:`log_bessel_series` sums; beyond, the uniform expansion is used (its
#: error, of order ``order**-5``, is below rounding there: see :func:`log_bessel_debye`).
MAX_SERIES_TERMS = 4096


def series_terms(order, x):
    """Terms :func:`log_bessel_series` needs for each x: ``2 m* + 60`` (see there)."""
    return np.hypot(order, x) - order + 60.0


def _debye_polynomials(t):
    """Debye's ``u_1(t) .. u_4(t)`` of the uniform expansion of ``I_nu`` (Abramowitz and
    Stegun 9.3.9-9.3.10; DLMF 10.41.10)."""
    t2 = t * t
    return (t * (3.0 - 5.0 * t2) / 24.0,
            t2 * (81.0 - 462.0 * t2 + 385.0 * t2 * t2) / 1152.0,
            t * t2 * (30375.0 - 369603.0 * t2 + 765765.0 * t2 ** 2 - 425425.0 * t2 ** 3)
            / 414720.0,
            t2 * t2 * (4465125.0 - 94121676.0 * t2 + 349922430.0 * t2 ** 2
                       - 446185740.0 * t2 ** 3 + 185910725.0 * t2 ** 4) / 39813120.0)


def log_bessel_debye_scaled(order, x):
    """``log(I_order(x) e^-x)`` by the uniform asymptotic (Debye) expansion, four correction
    terms.

    ``I_nu(nu z) ~ exp(nu eta) / (sqrt(2 pi nu) (1 + z^2)^(1/4)) sum_k u_k(t) / nu^k`` with
    ``t = 1 / sqrt(1 + z^2)``, ``eta = sqrt(1 + z^2) + log(z / (1 + sqrt(1 + z^2)))``
    (DLMF 10.41.3). The error is of order ``nu^-5`` uniformly in z: used where the
    power series would need more than :data:`MAX_SERIES_TERMS` terms, which happens only
    for a large order (the scaled ``ive`` underflows only there). ``order eta - x`` is taken as
    ``order (1 / (sqrt(1 + z^2) + z) + log(z / (1 + sqrt(1 + z^2))))``, so no term of size x
    cancels.
    """
    x = np.asarray(x, dtype=float)
    z = x / order
    root = np.hypot(1.0, z)
    eta_minus_z = 1.0 / (root + z) + np.log(z / (1.0 + root))
    correction = 1.0
    for power, u in enumerate(_debye_polynomials(1.0 / root), start=1):
        correction = correction + u / order ** power
    return (order * eta_minus_z - 0.5 * np.log(2.0 * np.pi * order) - 0.5 * np.log(root)
            + np.log(correction))


def log_bessel_debye(order, x):
    """``log I_order(x)`` by the uniform asymptotic expansion: x plus
    :func:`log_bessel_debye_scaled`."""
    x = np.asarray(x, dtype=float)
    return log_bessel_debye_scaled(order, x) + x


def log_bessel_series(order, x):
    """``log I_order(x)`` from ``sum_m (x^2/4)^m / (m! Gamma(order + m + 1))``, in log space.

    Terms grow while ``m (order + m) < x^2 / 4`` (up to ``m*``) and beyond ``2 m*`` each is at
    most half the one before, so ``2 m* + 60`` terms give the sum to rounding.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    log_y = np.log(0.25 * x * x)
    peak = 0.5 * (np.sqrt(order * order + x * x) - order)
    m = np.arange(int(2 * np.max(peak)) + 60)[:, None]
    log_terms = m * log_y - special.gammaln(m + 1.0) - special.gammaln(order + m + 1.0)
    return order * np.log(0.5 * x) + special.logsumexp(log_terms, axis=0)



def log_bessel_ive(order, x):
    """``log(I_order(x) e^-x)`` for x > 0, without subtracting x from a large ``log I``.

    Parameters
    ----------
    order : float
    x : ndarray of positive values

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    scipy's exponentially scaled ``ive``, exact to a few ulps where it is finite. It underflows
    for a large order and a moderate x, and it gives NaN for x beyond about 1e9; there, in
    turn: Hankel's expansion where it holds (:func:`expansion_holds_from`), the power series
    in log space where it needs at most :data:`MAX_SERIES_TERMS` terms, else the uniform
    (Debye) expansion.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.atleast_1d(np.log(special.ive(order, x)))
    failed = ~np.isfinite(scaled)
    if not failed.any():
        return scaled.reshape(x.shape)
    flat = np.broadcast_to(x, scaled.shape)
    hankel = failed & (flat >= expansion_holds_from(order))
    long = failed & ~hankel & (series_terms(order, flat) > MAX_SERIES_TERMS)
    series = failed & ~hankel & ~long
    for where, method in ((hankel, log_bessel_hankel_scaled), (long, log_bessel_debye_scaled),
                          (series, _log_bessel_series_scaled)):
        if where.any():
            scaled[where] = method(order, flat[where])
    return scaled.reshape(x.shape)


def _log_bessel_series_scaled(order, x):
    return log_bessel_series(order, x) - x


def log_bessel_hankel_scaled(order, x):
    """``log(I_order(x) e^-x) = -log(2 pi x) / 2 + log sum_k (-1)^k a_k(order) x^-k`` by
    Hankel's expansion (:func:`hankel_coefficients`), for ``x >= expansion_holds_from(order)``."""
    series = np.polynomial.polynomial.polyval(1.0 / x, hankel_coefficients(order))
    return -0.5 * np.log(2.0 * np.pi * x) + np.log(series)


#: Terms of Hankel's expansion summed by :func:`resultant_gap_expansion`.
HANKEL_TERMS = 10


def hankel_coefficients(order):
    """``(-1)^k a_k(order)``, k = 0 .. HANKEL_TERMS - 1, of
    ``I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(nu) x^-k`` (DLMF 10.40.1), with
    ``a_k(nu) = prod_{j<=k} (4 nu^2 - (2j - 1)^2) / (k! 8^k)``."""
    k = np.arange(1, HANKEL_TERMS)
    ratios = -(4.0 * order * order - (2.0 * k - 1.0) ** 2) / (8.0 * k)
    return np.concatenate([[1.0], np.cumprod(ratios)])


def expansion_holds_from(order):
    """The x beyond which :func:`resultant_gap_expansion` is exact to rounding.

    Successive terms of Hankel's expansion shrink by at least ``4 nu^2 / (8 k x)``: from
    ``x = 100 max(nu, 1)^2`` (and at least 1e4, where ``e^-2x`` is far below rounding) the
    omitted terms are below ``200^-10``.
    """
    return max(1e4, 100.0 * max(order, 1.0) ** 2)


def resultant_gap_expansion(t, order):
    """``1 - I_order(x) / I_{order-1}(x)`` at ``x = 1 / t`` and its derivative in t.

    Parameters
    ----------
    t : ndarray
        ``1 / x``, with ``x >= expansion_holds_from(order)``.
    order : float
        ``nu`` (``D / 2`` for the von Mises-Fisher family in R^D).

    Returns
    -------
    gap, slope : ndarray, ndarray
        Of the shape of ``t``.

    Notes
    -----
    With ``P`` and ``Q`` Hankel's series of ``I_{nu-1}`` and ``I_nu`` in t (the common factor
    ``e^x / sqrt(2 pi x)`` cancels in the ratio), the gap is ``(P - Q) / P``; the constant terms
    of P and Q are both 1, so ``P - Q`` is summed from its first power, with nothing cancelling:
    the gap keeps full relative precision where ``I_nu / I_{nu-1}`` is within rounding of 1.
    """
    poly = np.polynomial.polynomial
    p = hankel_coefficients(order - 1.0)
    difference = p - hankel_coefficients(order)
    difference[0] = 0.0
    p_t, d_t = poly.polyval(t, p), poly.polyval(t, difference)
    p_slope, d_slope = poly.polyval(t, poly.polyder(p)), poly.polyval(t, poly.polyder(difference))
    return d_t / p_t, (d_slope * p_t - d_t * p_slope) / (p_t * p_t)
