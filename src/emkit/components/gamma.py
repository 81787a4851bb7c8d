"""The Gamma component: independent Gamma(shape, rate) features, batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component, Densities
from ..engine.missing import has_missing, independent_conditionals
from ..engine.tree import Tree
from ._discrete import MissingEntries, missing_weight, split_missing
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ._ratio_moments import RatioMoments, divergence
from ._special import gamma_shape, inverse_digamma, stirling_gap
from ..engine.validation import check_support

__all__ = ["Gamma"]

#: From this shape on, a feature's density and statistics are taken about its mean (see
#: :class:`Gamma`): below, the matrix-product form loses at most ``eps * shape * |log x|``.
STABLE_SHAPE = 1e4
#: The largest shape fitted. A shape a means values spread by about ``1 / sqrt(a)`` relative;
#: the mean is known to rounding only, and that rounding alone moves the bound by about
#: ``n a eps^2 / 2``, which must stay far below the monitor's allowance (1e-9 n): beyond
#: 1e20 (values equal to within ~1e-10) the component counts as collapsed.
MAX_SHAPE = 1e20
#: A (component, feature) whose spread about its weighted mean, ``n (log xbar - mean(log x))``,
#: is below this fraction of the terms that cancel in the matrix-product form of the
#: statistics, ``n (2 + |log c|) + |sum w log x|``, takes the stable form: the shape fitted
#: to it is about ``n / (2 spread)``, so the product form's rounding (a few eps times those
#: terms) would move the bound at the fitted shape by about ``n eps / TIGHT``, and the shape by
#: ``eps / TIGHT`` relative; at 1e-6 both stay below the monitor's allowance (1e-9 n).
TIGHT = 1e-6
#: The stable statistics are summed over blocks of rows holding about this many values per
#: array (512 KiB: fast in cache, measured), so their transient memory is bounded whatever
#: the number of rows.
BLOCK_VALUES = 1 << 16


class Gamma(MissingEntries, StartsUnderPolicy, Component):
    """Products of Gamma densities with shape ``a_kd`` and rate ``b_kd``, for x_d > 0.

    ``log p(x | k) = sum_d a_kd log b_kd - lgamma(a_kd) + (a_kd - 1) log x_d - b_kd x_d``.

    Parameters
    ----------
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose shape has no finite maximiser (no responsibility, or
        all its values equal, or equal to within rounding: a shape above
        :data:`MAX_SHAPE`): raise a ComponentCollapseError naming it, or keep its previous
        parameters and warn.

    Notes
    -----
    Parameters: ``shapes`` and ``rates``, each of shape (K, n_features). Statistics: ``n``
    (K,), ``log_x`` (K, n_features), the weighted sums of 1 and log x, ``missing`` (below) and
    ``moments``, a :class:`~emkit.components._ratio_moments.RatioMoments` about the E-step's
    means ``c = a / b``: per component and feature the observed weight, ``sum w (x / c - 1)``
    and ``sum w d(x / c)`` with ``d(z) = z - 1 - log z >= 0``.

    With the mean ``m = a / b`` the density is ``-a d(x / m) - h(a) - log x``, with
    ``h(a) = lgamma(a) - a log a + a`` (Stirling's form, nothing cancels). From shape
    :data:`STABLE_SHAPE` on (a component near collapse) a feature is evaluated so, from
    ``u = (x - m) / m`` row by row, and its statistics likewise: the bound at the E-step's
    parameters then has no terms of size ``a log a`` that cancel, and equals the evidence to
    rounding. Below, the matrix-product form ``a log b - lgamma(a) + (a - 1) log x - b x`` is
    as exact and faster. The statistics take the stable form also wherever the data are tight
    (:data:`TIGHT`), whatever the E-step's shape, so the shape fitted to them (however large)
    and the bound there are exact; they are summed block by block of rows, so their memory
    does not grow with the number of rows.

    The M-step maximises the weighted log-likelihood exactly. The mean is ``xbar`` and the
    shape solves ``log a - digamma(a) = log xbar - lbar``, whose right side is
    ``sum w d(x / xbar) / n``, taken from the moments to full relative precision (by Newton's
    method to machine precision, Minka 2002); then ``rate = a / xbar``. With the rates fixed
    the shape solves ``digamma(a) = log b + lbar``; with the shapes fixed ``rate = a / xbar``.

    Missing entries (NaN) are left out of the likelihood: the statistic ``missing``
    ``M_kd = sum_i w_ik [x_id missing]`` makes the means per feature over observed weight,
    ``n_k - M_kd`` (see :class:`~emkit.components._discrete.MissingEntries`).

    References
    ----------
    T. P. Minka (2002). Estimating a Gamma distribution. Microsoft Research.
    """

    family = "Gamma"

    def __init__(self, on_collapse="raise"):
        self.on_collapse = check_policy(on_collapse)

    def __repr__(self):
        return "Gamma()"

    def constraints(self):
        return {"shapes": constraints.positive, "rates": constraints.positive}

    @staticmethod
    def _feature_normalisers(params):
        shapes = params.shapes
        return shapes * np.log(params.rates) - special.gammaln(shapes)

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def densities(self, params, X):
        stable = params.shapes >= STABLE_SHAPE
        X, missing, log_x = _split(X)
        normalisers = np.where(stable, 0.0, self._feature_normalisers(params))
        out = (np.sum(normalisers, axis=1) if missing is None else (~missing) @ normalisers.T)
        out = (out + log_x @ np.where(stable, 0.0, params.shapes - 1.0).T
               - X @ np.where(stable, 0.0, params.rates).T)
        pairs = np.argwhere(stable)
        deviations, divergences = _divergences(X, log_x, missing, pairs,
                                               params.shapes / params.rates)
        for (k, d), divergence_kd in zip(pairs, divergences.T):
            shape = params.shapes[k, d]
            observed = 1.0 if missing is None else ~missing[:, d]
            out[:, k] -= (shape * divergence_kd + stirling_gap(shape)) * observed + log_x[:, d]
        return Densities(out, deviations=deviations, divergences=divergences)

    def expected_stats(self, params, X, weights):
        return self._stats(params, X, weights, None)

    def stats_from_densities(self, params, X, weights, densities):
        return self._stats(params, X, weights, densities.terms)

    def _stats(self, params, X, weights, terms):
        """The statistics about the means of ``params`` (about the weighted means if None).

        Each (component, feature) takes the matrix-product form unless its data are too tight
        for it (:func:`_too_tight`) or its shape is from :data:`STABLE_SHAPE` on: those take
        the stable form, reusing the per-row divergences of :meth:`densities` when ``terms``
        has them, and otherwise summing them block by block of rows."""
        X, missing, log_x = _split(X)
        counts = weights.sum(axis=0)
        missed = missing_weight(weights, missing, X.shape[1])
        observed = counts[:, None] - missed
        sums, log_sums = weights.T @ X, weights.T @ log_x
        with np.errstate(divide="ignore", invalid="ignore"):
            if params is None:  # a start: every feature about its weighted mean
                shift = sums / observed
                shift = np.where(np.isfinite(shift) & (shift > 0), shift, 1.0)
            else:
                shift = params.shapes / params.rates
            first = sums / shift - observed
            spread = first - log_sums + observed * np.log(shift)
            stable = _too_tight(sums, log_sums, observed, shift)
        if params is not None:
            stable |= params.shapes >= STABLE_SHAPE
        reused = np.zeros_like(stable)
        if terms is not None:  # the pairs densities evaluated in the stable form
            reused = params.shapes >= STABLE_SHAPE
            for (k, d), u, divergence_kd in zip(np.argwhere(reused), terms["deviations"].T,
                                                terms["divergences"].T):
                first[k, d], spread[k, d] = weights[:, k] @ u, weights[:, k] @ divergence_kd
        pairs = np.argwhere(stable & ~reused)
        first[tuple(pairs.T)], spread[tuple(pairs.T)] = _stable_sums(
            X, log_x, missing, weights, pairs, shift)
        return Tree(n=counts, log_x=log_sums, missing=missed,
                    moments=RatioMoments(observed, first, spread, shift))

    def m_step(self, stats, params, fixed=frozenset()):
        if {"shapes", "rates"} <= set(fixed):
            return params
        moments = stats.moments
        with np.errstate(divide="ignore", invalid="ignore"):
            means = moments.mean()
            if "shapes" in fixed:
                shapes = params.shapes
            elif "rates" in fixed:
                shapes = inverse_digamma(np.log(params.rates) + stats.log_x / moments.n)
            else:
                shapes = gamma_shape(moments.spread_about_mean() / moments.n)
                shapes = np.where(shapes <= MAX_SHAPE, shapes, np.nan)
            rates = params.rates if "rates" in fixed else shapes / means
        return settle_collapse(
            Tree(shapes=shapes, rates=rates), params, stats.n, self.constraints(),
            self.on_collapse,
            degenerate=f"its values are all equal, or equal to within rounding (a shape above "
                       f"{MAX_SHAPE:g}), so its shape has no finite maximiser",
            remedy="Use fewer components or remove duplicated values.")

    def expected_log_prob(self, stats, params):
        shapes, moments = params.shapes, stats.moments
        spread = moments.about(shapes / params.rates)
        return float(np.sum(-shapes * spread - moments.n * stirling_gap(shapes) - stats.log_x))

    def validate(self, X):
        check_support(X, self.family, lambda v: v > 0, "values > 0",
                      "Gamma data are strictly positive; remove or shift values <= 0, or "
                      "choose another family (Exponential allows 0).", allow_nan=True)

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are ``a_kd / b_kd`` and ``a_kd / b_kd^2``.

        Parameters
        ----------
        params : Tree
            The component parameters, K leading.
        X : ndarray of shape (n_samples, n_features)
            Rows with NaN where an entry is missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
        """
        means = params.shapes / params.rates
        return independent_conditionals(X, means, means / params.rates)

    def sample(self, params, labels, rng):
        return rng.gamma(params.shapes[labels], 1.0 / params.rates[labels])


def _split(X):
    """``(X, missing, log_x)``: X with NaN set to 0 and where they were (None if there are
    none), and ``log x`` (0 at missing entries)."""
    if not has_missing(X):
        return X, None, np.log(X)
    X, missing = split_missing(X)
    return X, missing, np.log(X + missing)


def _divergences(X, log_x, missing, pairs, means):
    """``u = (x - m) / m`` and ``d(x / m) = u - log(x / m)`` for the (component, feature)
    ``pairs`` (P, 2), down X's columns, each (n_samples, P), to full relative precision
    (:func:`divergence`); 0 at missing entries, which then add nothing to the statistics."""
    features, centres = pairs[:, 1], means[pairs[:, 0], pairs[:, 1]]
    u = (X[:, features] - centres) / centres
    if missing is not None:
        u = np.where(missing[:, features], 0.0, u)
    return u, divergence(u, log_x[:, features] - np.log(centres))


def _too_tight(sums, log_sums, observed, shift):
    """Where the matrix-product statistics would be imprecise (K, D): the spread about the
    weighted mean, computed from the sums, is below :data:`TIGHT` times the terms that cancel
    in it (or not a number); never where there is no observed weight."""
    about_mean = observed * np.log(sums / observed) - log_sums
    size = observed * (2.0 + np.abs(np.log(shift))) + np.abs(log_sums)
    return (observed > 0) & ~(about_mean > TIGHT * size)


def _stable_sums(X, log_x, missing, weights, pairs, means):
    """``sum_i w_ik u_i`` and ``sum_i w_ik d(1 + u_i)`` for the (component, feature) ``pairs``
    (P, 2), ``u = (x - m) / m``, each of shape (P,), from :func:`_divergences` over blocks of
    at most :data:`BLOCK_VALUES` / P rows."""
    first, spread = np.zeros(len(pairs)), np.zeros(len(pairs))
    if not len(pairs):
        return first, spread
    step = max(1, BLOCK_VALUES // len(pairs))
    for start in range(0, X.shape[0], step):
        rows = slice(start, start + step)
        u, divergences = _divergences(X[rows], log_x[rows],
                                      None if missing is None else missing[rows], pairs, means)
        w = weights[rows][:, pairs[:, 0]]
        first += np.einsum("ip,ip->p", w, u)
        spread += np.einsum("ip,ip->p", w, divergences)
    return first, spread
