"""The von Mises-Fisher component: directions on the unit sphere in R^D, batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.tree import Tree
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ._special import iterate
from ..engine.validation import check_finite
from ..exceptions import ROW, DataError

__all__ = ["VonMisesFisher"]

#: Allowed deviation of a row's norm from 1.
UNIT_TOLERANCE = 1e-6


def check_unit_rows(X, family):
    """Raise a DataError at the first row of X whose Euclidean norm is not 1.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    family : str
    """
    check_finite(X, family=family)
    norms = np.linalg.norm(X, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > UNIT_TOLERANCE)
    if bad.size == 0:
        return
    row = int(bad[0])
    raise DataError(
        f"X row {ROW} has Euclidean norm {float(norms[row])!r}; a {family} component models "
        f"directions and expects every row to have norm 1 (within {UNIT_TOLERANCE:g}; "
        f"{bad.size} rows do not). Normalise the rows first: "
        "X / np.linalg.norm(X, axis=1, keepdims=True).", row)


def log_bessel_iv(order, x):
    """``log I_order(x)`` for x > 0, stable for large x and for large order.

    Uses the exponentially scaled ``ive``; where it underflows (high dimension with moderate
    concentration) it sums the power series in log space (:func:`log_bessel_series`).
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        scaled = np.log(special.ive(order, x)) + x
    underflow = ~np.isfinite(scaled)
    if not underflow.any():
        return scaled
    safe_x = np.where(underflow, x, 1.0)
    long = underflow & (series_terms(order, safe_x) > MAX_SERIES_TERMS)
    by_series = log_bessel_series(order, np.where(long, 1.0, safe_x))
    by_expansion = log_bessel_debye(order, np.where(long, safe_x, 1.0))
    return np.where(underflow, np.where(long, by_expansion, by_series), scaled)


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


def log_bessel_debye(order, x):
    """``log I_order(x)`` by the uniform asymptotic (Debye) expansion, four correction terms.

    ``I_nu(nu z) ~ exp(nu eta) / (sqrt(2 pi nu) (1 + z^2)^(1/4)) sum_k u_k(t) / nu^k`` with
    ``t = 1 / sqrt(1 + z^2)``, ``eta = sqrt(1 + z^2) + log(z / (1 + sqrt(1 + z^2)))``
    (DLMF 10.41.3). The error is of order ``nu^-5`` uniformly in z: used where the
    power series would need more than :data:`MAX_SERIES_TERMS` terms, which happens only
    for a large order (the scaled ``ive`` underflows only there).
    """
    x = np.asarray(x, dtype=float)
    z = x / order
    root = np.hypot(1.0, z)
    eta = root + np.log(z / (1.0 + root))
    correction = 1.0
    for power, u in enumerate(_debye_polynomials(1.0 / root), start=1):
        correction = correction + u / order ** power
    return (order * eta - 0.5 * np.log(2.0 * np.pi * order) - 0.5 * np.log(root)
            + np.log(correction))


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


def log_normaliser(concentrations, n_features):
    """``log C_D(kappa) = (D/2 - 1) log kappa - (D/2) log(2 pi) - log I_{D/2-1}(kappa)``."""
    order = 0.5 * n_features - 1.0
    return (order * np.log(concentrations) - 0.5 * n_features * np.log(2.0 * np.pi)
            - log_bessel_iv(order, concentrations))


def mean_resultant_length(concentrations, n_features):
    """``A_D(kappa) = I_{D/2}(kappa) / I_{D/2-1}(kappa)``, the expected ``mu' x``.

    The ratio of exponentially scaled Bessel functions is exact to a few ulps; where they
    underflow it is taken from :func:`log_bessel_iv`.
    """
    order = 0.5 * n_features
    numerator = special.ive(order, concentrations)
    denominator = special.ive(order - 1.0, concentrations)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    by_logs = np.exp(log_bessel_iv(order, concentrations)
                     - log_bessel_iv(order - 1.0, concentrations))
    return np.where((numerator > 0) & (denominator > 0), ratio, by_logs)


def concentration_mle(rbar, n_features):
    """Solve ``A_D(kappa) = rbar`` for kappa, elementwise (0 < rbar < 1).

    Notes
    -----
    Starts from the approximation of Banerjee et al. (2005),
    ``kappa0 = rbar (D - rbar^2) / (1 - rbar^2)``, then takes Newton steps with
    ``A'(kappa) = 1 - A^2 - (D - 1) A / kappa`` to working precision (halving a step that would
    leave kappa <= 0).
    """
    d = n_features

    def newton(kappa):
        a = mean_resultant_length(kappa, d)
        new = kappa - (a - rbar) / (1.0 - a * a - (d - 1.0) * a / kappa)
        return np.where(new > 0, new, 0.5 * kappa)

    return iterate(newton, rbar * (d - rbar * rbar) / (1.0 - rbar * rbar))


class VonMisesFisher(StartsUnderPolicy, Component):
    """Von Mises-Fisher densities ``C_D(kappa_k) exp(kappa_k mu_k' x)`` on the unit sphere.

    Parameters
    ----------
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component with no finite maximiser (no responsibility, or all its
        directions equal): raise a ComponentCollapseError naming it, or keep its previous
        parameters and warn.

    Notes
    -----
    Parameters: ``mean_directions`` (K, D), unit vectors, and ``concentrations`` (K,).
    Statistics: ``n`` (K,) and ``resultant`` (K, D), ``sum_i w_ik x_i``. The MLE is
    ``mu = r / |r|`` and the kappa solving ``A_D(kappa) = |r| / n`` (with the mean directions
    fixed, ``A_D(kappa) = mu' r / n``). The normaliser uses exponentially scaled Bessel
    functions, so it is stable for large kappa and D.

    References
    ----------
    A. Banerjee, I. S. Dhillon, J. Ghosh and S. Sra (2005). Clustering on the unit hypersphere
    using von Mises-Fisher distributions. JMLR 6, 1345-1382.
    A. T. A. Wood (1994). Simulation of the von Mises Fisher distribution. Communications in
    Statistics - Simulation and Computation 23, 157-164.
    """

    family = "VonMisesFisher"

    def __init__(self, on_collapse="raise"):
        self.on_collapse = check_policy(on_collapse)

    def __repr__(self):
        return "VonMisesFisher()"

    def constraints(self):
        return {"mean_directions": constraints.unit_vector,
                "concentrations": constraints.positive}

    def log_prob(self, params, X):
        kappa = params.concentrations
        return log_normaliser(kappa, X.shape[1]) + (X @ params.mean_directions.T) * kappa

    def expected_stats(self, params, X, weights):
        return Tree(n=weights.sum(axis=0), resultant=weights.T @ X)

    def m_step(self, stats, params, fixed=frozenset()):
        resultant, counts = stats.resultant, stats.n
        with np.errstate(divide="ignore", invalid="ignore"):
            length = np.linalg.norm(resultant, axis=1)
            if "mean_directions" in fixed:
                directions = params.mean_directions
                rbar = np.einsum("kd,kd->k", directions, resultant) / counts
            else:
                directions = resultant / length[:, None]
                rbar = length / counts
        if "concentrations" in fixed:
            kappa = params.concentrations
        else:
            kappa = np.full(len(counts), np.nan)
            ok = (rbar > 0) & (rbar < 1)
            kappa[ok] = concentration_mle(rbar[ok], resultant.shape[1])
        return settle_collapse(
            Tree(mean_directions=directions, concentrations=kappa), params, counts,
            self.constraints(), self.on_collapse,
            degenerate="its directions are all equal (or do not point along its fixed mean "
                       "direction), so its concentration has no finite maximiser",
            remedy="Use fewer components or remove duplicated rows.")

    def expected_log_prob(self, stats, params):
        kappa = params.concentrations
        n_features = params.mean_directions.shape[1]
        return float(stats.n @ log_normaliser(kappa, n_features)
                     + kappa @ np.einsum("kd,kd->k", params.mean_directions, stats.resultant))

    def validate(self, X):
        if X.shape[1] < 2:
            raise ValueError(
                f"X has {X.shape[1]} feature(s); the {self.family} family models directions "
                "in R^D with D >= 2. Pass unit vectors with at least 2 coordinates.")
        check_unit_rows(X, self.family)

    def sample(self, params, labels, rng):
        out = np.empty((len(labels), params.mean_directions.shape[1]))
        for k, (direction, kappa) in enumerate(zip(params.mean_directions,
                                                   params.concentrations)):
            rows = np.flatnonzero(labels == k)
            out[rows] = _reflect_to(direction, _sample_about_first_axis(
                kappa, len(direction), rows.size, rng))
        return out


def _sample_cosines(kappa, n_features, size, rng):
    """Wood's rejection sampler for ``w = mu' x``; returns ``(w, 1 - w)``, each (size,)."""
    d1 = n_features - 1.0
    b = d1 / (2.0 * kappa + np.sqrt(4.0 * kappa * kappa + d1 * d1))
    x0 = (1.0 - b) / (1.0 + b)
    c = kappa * x0 + d1 * np.log(1.0 - x0 * x0)
    w_parts, rest_parts, accepted = [np.empty(0)], [np.empty(0)], 0
    while accepted < size:
        z = rng.beta(0.5 * d1, 0.5 * d1, size=size)
        denominator = 1.0 - (1.0 - b) * z
        w = (1.0 - (1.0 + b) * z) / denominator
        keep = kappa * w + d1 * np.log(1.0 - x0 * w) - c >= np.log(rng.uniform(size=size))
        w_parts.append(w[keep])
        rest_parts.append(2.0 * b * z[keep] / denominator[keep])
        accepted += int(keep.sum())
    return np.concatenate(w_parts)[:size], np.concatenate(rest_parts)[:size]


def _sample_about_first_axis(kappa, n_features, size, rng):
    """vMF draws with mean direction e_1, shape (size, n_features)."""
    w, one_minus_w = _sample_cosines(kappa, n_features, size, rng)
    tangent = rng.standard_normal((size, n_features - 1))
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    radius = np.sqrt(one_minus_w * (1.0 + w))
    return np.column_stack([w, radius[:, None] * tangent])


def _reflect_to(direction, points):
    """Apply the Householder reflection that maps e_1 to ``direction`` to rows of points."""
    axis = -direction.copy()
    axis[0] += 1.0
    norm2 = axis @ axis
    if norm2 < 1e-30:
        return points
    return points - np.outer(points @ axis, axis) * (2.0 / norm2)
