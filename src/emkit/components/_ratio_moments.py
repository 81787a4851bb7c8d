"""Statistics of positive data about reference means, for families written in ``x / m``.

A Gamma density with shape ``a`` and mean ``m`` is ``-a d(x / m) - h(a) - log x`` with the
divergence ``d(z) = z - 1 - log z >= 0`` (see :mod:`emkit.components.gamma`). Near a collapse
(``a`` ~ 1e10 and beyond) ``d`` is tiny while ``x / m`` and ``log x`` are not: summing
``x``, ``log x`` and expanding ``d`` cancels ``a`` times their size. :class:`RatioMoments`
keeps ``sum_i w_i d(x_i / c)`` and ``sum_i w_i (x_i / c - 1)`` about a reference mean c (the
E-step's), each term computed from ``u = (x - c) / c`` without cancellation, and moves to
another reference m exactly: with ``v = c / m - 1``,

    sum_i w_i (x_i / m - 1)  = (1 + v) F + n v,
    sum_i w_i d(x_i / m)     = S + F v + n d(1 + v),

so blocks computed at different parameters add, and the bound at the E-step's parameters has
no terms that cancel.
"""
from __future__ import annotations

import numpy as np

from ..engine.tree import StatisticLeaf, freeze

__all__ = ["RatioMoments", "divergence"]

#: Below this |u|, ``u - log1p(u)`` is summed from the series in ``w = u / (2 + u)``.
_SERIES_BELOW = 0.1
#: Coefficients ``2 / (2j + 3)``, j = 0..7, of that series (``w^2 < 0.0023``: 8 terms reach
#: 1e-21 relative).
_SERIES = 2.0 / (2.0 * np.arange(8) + 3.0)


def divergence(u, log_ratio=None):
    """``d(1 + u) = u - log1p(u)`` (>= 0), to full relative precision however small u is.

    Parameters
    ----------
    u : ndarray, > -1
        ``x / c - 1``, computed as ``(x - c) / c``.
    log_ratio : ndarray, optional
        ``log(x / c)`` as ``log x - log c``, used where ``|u| >= 0.1`` instead of ``log1p(u)``:
        for ``x << c``, ``1 + u`` has lost the digits of ``x / c`` that the logs keep.

    Returns
    -------
    ndarray of the shape of u

    Notes
    -----
    With ``w = u / (2 + u)``, ``log1p(u) = 2 atanh(w)`` and ``u - 2w = u w``, so
    ``u - log1p(u) = u w - 2 w^3 (1/3 + w^2/5 + w^4/7 + ...)``, whose terms do not cancel
    for ``|u| < 0.1``; beyond, the direct difference loses at most four bits.
    """
    shape = np.shape(u)
    u = np.atleast_1d(np.asarray(u, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        w = u / (2.0 + u)
    w2 = w * w
    tail = np.full_like(w, _SERIES[-1])
    for coefficient in _SERIES[-2::-1]:
        tail *= w2
        tail += coefficient
    out = u * w - w * w2 * tail
    far = ~(np.abs(u) < _SERIES_BELOW)
    if far.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[far] = u[far] - (np.log1p(u[far]) if log_ratio is None
                                 else np.atleast_1d(log_ratio)[far])
    return out.reshape(shape)


class RatioMoments(StatisticLeaf):
    """Weighted count, ``sum w (x / c - 1)`` and ``sum w d(x / c)`` about reference means c.

    Parameters
    ----------
    n : array-like of shape (K, D)
        ``sum_i w_ik`` over the observed entries of each feature.
    first : array-like of shape (K, D)
        ``sum_i w_ik (x_id / c_kd - 1)``.
    spread : array-like of shape (K, D)
        ``sum_i w_ik d(x_id / c_kd)``, ``d(z) = z - 1 - log z``.
    shift : array-like of shape (K, D)
        The reference means ``c_kd > 0``.
    """

    __slots__ = ("n", "first", "spread", "shift")

    def __init__(self, n, first, spread, shift):
        self.n, self.first = freeze(n), freeze(first)
        self.spread, self.shift = freeze(spread), freeze(shift)

    def __repr__(self):
        return f"RatioMoments(shape={np.shape(self.first)})"

    def arrays(self):
        return {"n": self.n, "first": self.first, "spread": self.spread, "shift": self.shift}

    def mean(self) -> np.ndarray:
        """The weighted means ``sum w x / n`` (K, D): ``c (1 + F / n)``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.shift * (1.0 + self.first / self.n)

    def about(self, means) -> np.ndarray:
        """``sum_i w_ik d(x_id / m_kd)`` for the means ``m`` (K, D), shape (K, D)."""
        return sum(self._about_terms(means))

    def _about_terms(self, means):
        v = (self.shift - means) / means
        with np.errstate(invalid="ignore", divide="ignore"):
            log_ratio = np.log(self.shift) - np.log(means)
        return self.spread, self.first * v, self.n * divergence(v, log_ratio)

    def spread_about_mean(self) -> np.ndarray:
        """``sum_i w_ik d(x_id / xbar_kd)`` about the weighted means, shape (K, D).

        ``n`` times ``log xbar - mean(log x)``, the statistic of a Gamma shape, to full
        relative precision. Where it is within the rounding of its own recentring (values
        equal to within rounding, seen from a reference far from them) it is 0: the spread
        is indistinguishable from none.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            terms = self._about_terms(self.mean())
        total = sum(terms)
        rounding = 8.0 * np.finfo(float).eps * sum(np.abs(term) for term in terms)
        return np.where(total > rounding, total, np.where(np.isnan(total), np.nan, 0.0))

    def recentre(self, means) -> RatioMoments:
        """The same statistics about the reference means ``means`` (K, D)."""
        means = np.asarray(means, dtype=float)
        if np.array_equal(means, self.shift):
            return self
        v = (self.shift - means) / means
        return RatioMoments(self.n, self.first * (1.0 + v) + self.n * v, self.about(means),
                            means)

    def moved_like(self, target):
        return self.recentre(target.shift)

    def __add__(self, other):
        if not isinstance(other, RatioMoments) or np.shape(other.first) != np.shape(self.first):
            raise ValueError(f"cannot add RatioMoments {self!r} and {other!r}; compute every "
                             "block's statistics with the same component")
        other = other.recentre(self.shift)
        return RatioMoments(self.n + other.n, self.first + other.first,
                            self.spread + other.spread, self.shift)

    def __mul__(self, scalar):
        return RatioMoments(self.n * scalar, self.first * scalar, self.spread * scalar,
                            self.shift)
