"""The von Mises-Fisher component: directions on the unit sphere in R^D, batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component, Densities
from ..engine.moments import Moments
from ..engine.tree import Tree
from ._bessel import expansion_holds_from, log_bessel_ive, resultant_gap_expansion
# The Bessel functions lived here before _bessel.py; their old import path still works.
from ._bessel import log_bessel_debye, log_bessel_iv, log_bessel_series  # noqa: F401
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ._sphere_kernels import chords_and_log_prob
from ._special import iterate
from ..engine.validation import check_finite
from ..exceptions import ROW, DataError

__all__ = ["VonMisesFisher"]

#: Allowed deviation of a row's norm from 1.
UNIT_TOLERANCE = 1e-6
#: Below this squared chord ``|x - mu|^2`` it is summed from the differences: the expansion
#: ``|x|^2 + |mu|^2 - 2 x'mu`` has an absolute error of a few ``sqrt(D) eps``, so above it
#: keeps ~1e-11 relative (and ``kappa |x - mu|^2`` is then of order D, or the row is far out).
NEAR_CHORD = 1e-4
#: The largest concentration fitted. Directions spread by about ``1 / sqrt(kappa)``; the mean
#: direction is known to rounding only, and that rounding alone moves the bound by about
#: ``n kappa eps^2 / 2``, which must stay far below the monitor's allowance (1e-9 n): beyond
#: 1e20 (directions equal to within ~1e-10) the component counts as collapsed.
MAX_CONCENTRATION = 1e20


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


def directions_of(X):
    """The rows of X scaled to norm 1 (their directions), shape (n_samples, n_features).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows of norm 1 to within :data:`UNIT_TOLERANCE` (validated).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    X = np.asarray(X, dtype=float)
    return X / np.sqrt(np.einsum("ij,ij->i", X, X))[:, None]


def log_normaliser(concentrations, n_features):
    """``log C_D(kappa) = (D/2 - 1) log kappa - (D/2) log(2 pi) - log I_{D/2-1}(kappa)``."""
    return shifted_log_normaliser(concentrations, n_features) - concentrations


def shifted_log_normaliser(concentrations, n_features):
    """``log C_D(kappa) + kappa``, the log density at the mean direction, shape of kappa.

    Computed from the exponentially scaled Bessel function, so nothing of size kappa cancels:
    ``(D/2 - 1) log kappa - (D/2) log(2 pi) - log(I_{D/2-1}(kappa) e^-kappa)``.
    """
    order = 0.5 * n_features - 1.0
    return (order * np.log(concentrations) - 0.5 * n_features * np.log(2.0 * np.pi)
            - log_bessel_ive(order, concentrations))


def squared_chords(X, directions):
    """``|x_i / |x_i| - mu_k|^2`` for every row and direction, shape (n_samples, K).

    From ``|x|^2 + |mu|^2 - 2 x'mu`` (one matrix product), then, where that is below
    :data:`NEAR_CHORD`, summed again from the differences, so that every entry keeps its
    relative precision however close a row lies to a direction (compiled:
    :func:`~emkit.components._sphere_kernels.chords_and_log_prob`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    directions : ndarray of shape (K, n_features)
    """
    flat = np.zeros(len(directions))
    return chords_and_log_prob(X, directions, NEAR_CHORD, flat, flat)[0]


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
    by_logs = np.exp(log_bessel_ive(order, concentrations)
                     - log_bessel_ive(order - 1.0, concentrations))
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


def resultant_directions(resultants):
    """Unit vectors along the rows of ``resultants`` (K, D); ``e_1`` along a zero row (a
    component with no weight, whose statistics then need some point to be taken about)."""
    norms = np.linalg.norm(resultants, axis=1)
    fallback = np.zeros_like(resultants)
    fallback[:, 0] = 1.0
    return np.where((norms > 0)[:, None], resultants / np.where(norms > 0, norms, 1.0)[:, None],
                    fallback)


def concentration_from_gap(gap, n_features):
    """Solve ``1 - A_D(kappa) = gap`` for kappa, elementwise (0 < gap < 1).

    ``gap`` is ``1 - rbar``, known to full relative precision (see
    :meth:`VonMisesFisher.m_step`). Where the root lies beyond
    :func:`~emkit.components._bessel.expansion_holds_from`, Newton's method runs on
    ``t = 1 / kappa`` with Hankel's expansion of the gap, which stays exact however close to 1
    ``A_D`` is; below, :func:`concentration_mle` solves ``A_D(kappa) = 1 - gap``, whose
    rounding costs at most ``eps kappa`` relative there.
    """
    gap = np.asarray(gap, dtype=float)
    order = 0.5 * n_features
    far = 1.0 / expansion_holds_from(order)
    large = gap < resultant_gap_expansion(np.array(far), order)[0]
    kappa = np.empty_like(gap)
    if (~large).any():
        kappa[~large] = concentration_mle(1.0 - gap[~large], n_features)
    if large.any():
        target = gap[large]

        def newton(t):
            value, slope = resultant_gap_expansion(t, order)
            return t - (value - target) / slope

        kappa[large] = 1.0 / iterate(newton, target / (order - 0.5))
    return kappa


class VonMisesFisher(StartsUnderPolicy, Component):
    """Von Mises-Fisher densities ``C_D(kappa_k) exp(kappa_k mu_k' x)`` on the unit sphere.

    Parameters
    ----------
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component with no finite maximiser (no responsibility, or all its
        directions equal, or equal to within rounding: a concentration above
        :data:`MAX_CONCENTRATION`): raise a ComponentCollapseError naming it, or keep its previous
        parameters and warn.

    Notes
    -----
    Parameters: ``mean_directions`` (K, D), unit vectors, and ``concentrations`` (K,).

    On the sphere ``kappa mu'x = kappa - kappa |x - mu|^2 / 2``, and the density is evaluated as
    ``[log C_D(kappa) + kappa] - kappa |x - mu|^2 / 2``: the bracket comes from the
    exponentially scaled Bessel function and the squared chord keeps its relative precision
    near mu (:func:`squared_chords`), so no two terms of size kappa cancel, however tight the
    component. Rows are taken as their directions ``x / |x|`` (validation allows
    ``| |x| - 1 | <= 1e-6``): at kappa 1e13 and more, the rounding of rows normalised in float32
    would otherwise move a log density by O(1).

    Statistics: ``moments``, a trace-only :class:`~emkit.engine.moments.Moments` about the
    E-step's mean directions ``c``: ``n`` (K,), ``first = sum_i w_ik (x_i - c_k)`` (K, D) and
    ``second = sum_i w_ik |x_i - c_k|^2`` (K,). Moments about another direction follow exactly,
    so blocks computed at different parameters add. The MLE is ``mu = r / |r|`` with the
    resultant ``r = first + n c``, and the kappa solving
    ``1 - A_D(kappa) = sum_i w_ik |x_i - mu|^2 / (2 n)``, the gap ``1 - rbar`` taken from the
    moments to full relative precision (see :func:`concentration_from_gap`); with the mean
    directions fixed, the same with the fixed mu.

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
        return self.densities(params, X).log_prob

    def densities(self, params, X):
        kappa = params.concentrations
        chords, log_prob = chords_and_log_prob(X, params.mean_directions, NEAR_CHORD, kappa,
                                               shifted_log_normaliser(kappa, X.shape[1]))
        return Densities(log_prob, chords=chords)

    def expected_stats(self, params, X, weights):
        resultants = weights.T @ directions_of(X)
        directions = (resultant_directions(resultants) if params is None
                      else params.mean_directions)
        return self._moments(directions, resultants, weights, squared_chords(X, directions))

    def stats_from_densities(self, params, X, weights, densities):
        return self._moments(params.mean_directions, weights.T @ directions_of(X), weights,
                             densities.terms["chords"])

    @staticmethod
    def _moments(directions, resultants, weights, chords):
        """The statistics of the rows' directions about ``directions`` (K, D), given their
        weighted sums ``resultants`` (K, D) and ``chords = |x_i / |x_i| - mu_k|^2``."""
        counts = weights.sum(axis=0)
        return Tree(moments=Moments(counts, resultants - counts[:, None] * directions,
                                    np.einsum("ik,ik->k", weights, chords), directions))

    def m_step(self, stats, params, fixed=frozenset()):
        moments = stats.moments
        counts = moments.n
        with np.errstate(divide="ignore", invalid="ignore"):
            if "mean_directions" in fixed:
                directions = params.mean_directions
            else:
                resultant = moments.first + counts[:, None] * moments.shift
                directions = resultant / np.linalg.norm(resultant, axis=1)[:, None]
            gap = moments.about(directions) / (2.0 * counts)
        if "concentrations" in fixed:
            kappa = params.concentrations
        else:
            kappa = np.full(len(counts), np.nan)
            ok = (gap > 0) & (gap < 1)
            kappa[ok] = concentration_from_gap(gap[ok], directions.shape[1])
            kappa[kappa > MAX_CONCENTRATION] = np.nan
        return settle_collapse(
            Tree(mean_directions=directions, concentrations=kappa), params, counts,
            self.constraints(), self.on_collapse,
            degenerate="its directions are all equal, or equal to within rounding (a "
                       f"concentration above {MAX_CONCENTRATION:g}), or do not point along its "
                       "fixed mean direction, so its concentration has no finite maximiser",
            remedy="Use fewer components or remove duplicated rows.")

    def expected_log_prob(self, stats, params):
        kappa, moments = params.concentrations, stats.moments
        n_features = params.mean_directions.shape[1]
        return float(moments.n @ shifted_log_normaliser(kappa, n_features)
                     - 0.5 * kappa @ moments.about(params.mean_directions))

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
