"""Expected moments of the rows and their factors: the statistics of a factor analyser.

A factor analyser's complete data are (x, z): the row and its latent factors. Under the
posterior q(z | x), the M-step needs per component k (weights w_ik, rows about a point c_k)

    n       = sum_i w_ik,
    first   = sum_i w_ik (x_i - c_k),                    second = sum_i w_ik (x_i - c_k)**2,
    cross   = sum_i w_ik (x_i - c_k) E[z_i]',
    z_first = sum_i w_ik E[z_i],                         z_second = sum_i w_ik E[z_i z_i'],

(``second`` only on the diagonal: the noise is diagonal). Moving the point to m = c + e is
exact, as for :class:`~emkit.engine.moments.Moments`:

    first -> first - n e,   second -> second - 2 e * first + n e**2,   cross -> cross - e z_first'

so statistics of blocks computed at different parameters add. The factors' moments do not
depend on the point.
"""
from __future__ import annotations

import numpy as np

from ...engine.tree import StatisticLeaf, freeze

__all__ = ["FactorMoments"]

#: The summed fields, in the constructor's order (the shift comes last).
_SUMS = ("n", "first", "second", "cross", "z_first", "z_second")


class FactorMoments(StatisticLeaf):
    """Weighted moments of rows and their posterior factors, per component.

    Parameters
    ----------
    n : array-like of shape (K,)
    first : array-like of shape (K, D)
    second : array-like of shape (K, D)
        Diagonal of the second moments of the rows about ``shift``.
    cross : array-like of shape (K, D, Q)
    z_first : array-like of shape (K, Q)
    z_second : array-like of shape (K, Q, Q)
        ``sum_i w_ik E[z_i z_i']`` (posterior covariance included).
    shift : array-like of shape (K, D)
        The points the row moments are taken about.
    """

    __slots__ = ("cross", "first", "n", "second", "shift", "z_first", "z_second")

    def __init__(self, n, first, second, cross, z_first, z_second, shift):
        self.n, self.first, self.second = freeze(n), freeze(first), freeze(second)
        self.cross, self.z_first, self.z_second = freeze(cross), freeze(z_first), \
            freeze(z_second)
        self.shift = freeze(shift)

    def __repr__(self):
        return f"FactorMoments(shape={np.shape(self.cross)})"

    def arrays(self):
        return {name: getattr(self, name) for name in (*_SUMS, "shift")}

    def recentre(self, points) -> FactorMoments:
        """The same moments with the rows taken about ``points`` of shape (K, D)."""
        points = np.asarray(points, dtype=float)
        if np.array_equal(points, self.shift):
            return self
        e = points - self.shift
        n = self.n[:, None]
        return FactorMoments(
            self.n, self.first - n * e, self.second - 2.0 * e * self.first + n * e * e,
            self.cross - e[:, :, None] * self.z_first[:, None, :], self.z_first, self.z_second,
            points)

    def moved_like(self, target):
        return self.recentre(target.shift)

    def __add__(self, other):
        if not isinstance(other, FactorMoments) or np.shape(other.cross) != np.shape(self.cross):
            raise ValueError(f"cannot add FactorMoments {self!r} and {other!r}; compute every "
                             "block's statistics with the same component")
        other = other.recentre(self.shift)
        return FactorMoments(*(getattr(self, name) + getattr(other, name) for name in _SUMS),
                             self.shift)

    def __mul__(self, scalar):
        return FactorMoments(*(getattr(self, name) * scalar for name in _SUMS), self.shift)
