"""Moments about a reference point: a statistics leaf that statistics at any parameters share.

Second moments of raw data lose precision (``E[xx'] - mu mu'`` cancels), so components
accumulate moments about a reference point near the data, usually the means of the E-step's
parameters. Statistics computed at different parameters then have different reference points.
:class:`Moments` carries its point and moves to another exactly, with

    sum_i w_i (x_i - m) = S1 - n e,
    sum_i w_i (x_i - m)(x_i - m)' = S2 - S1 e' - e S1' + n e e',    e = m - c,

so statistics of blocks computed at different parameters add (the right operand is moved to
the left's point) and scale (``0.9 * s1 + 0.1 * s2``, which online EM needs). With ``second``
holding only the traces (shape (K,)), the same formulas hold summed over the coordinates.
:func:`recentre` moves every Moments leaf (and every other leaf about a point) of a statistics
Tree at once (:meth:`~emkit.engine.tree.StatisticLeaf.moved_like`).
"""
from __future__ import annotations

import numpy as np

from .tree import StatisticLeaf, Tree, freeze

__all__ = ["Moments", "recentre"]


class Moments(StatisticLeaf):
    """Weighted count, first and second moments of rows about a point, per component.

    Parameters
    ----------
    n : array-like of shape (K,)
        ``sum_i w_ik``.
    first : array-like of shape (K, D)
        ``sum_i w_ik (x_i - c_k)``.
    second : array-like of shape (K, D, D), or (K, D) for its diagonal only, or (K,) for its
        trace only
        ``sum_i w_ik (x_i - c_k)(x_i - c_k)'`` (its trace: ``sum_i w_ik |x_i - c_k|^2``).
    shift : array-like of shape (K, D)
        The points ``c_k`` the moments are taken about.
    """

    __slots__ = ("n", "first", "second", "shift")

    def __init__(self, n, first, second, shift):
        self.n, self.first = freeze(n), freeze(first)
        self.second, self.shift = freeze(second), freeze(shift)

    @property
    def dense(self) -> bool:
        """Whether ``second`` holds full matrices (else their diagonals)."""
        return np.ndim(self.second) == 3

    @property
    def trace(self) -> bool:
        """Whether ``second`` holds only the traces of the second moments (shape (K,))."""
        return np.ndim(self.second) == 1

    def __repr__(self):
        kind = "dense" if self.dense else "trace" if self.trace else "diagonal"
        return f"Moments({kind}, shape={np.shape(self.first)})"

    def arrays(self):
        return {"n": self.n, "first": self.first, "second": self.second, "shift": self.shift}

    def about(self, points) -> np.ndarray:
        """The second moments about ``points`` (K, D): shape (K, D, D), (K, D) or (K,)."""
        e = np.asarray(points, dtype=float) - self.shift
        if self.trace:
            return (self.second - 2.0 * np.einsum("kd,kd->k", self.first, e)
                    + self.n * np.einsum("kd,kd->k", e, e))
        if not self.dense:
            return self.second - 2.0 * self.first * e + self.n[:, None] * e * e
        cross = self.first[:, :, None] * e[:, None, :]
        return self.second - cross - np.swapaxes(cross, 1, 2) + self.n[:, None, None] * (
            e[:, :, None] * e[:, None, :])

    def recentre(self, points) -> Moments:
        """The same moments taken about ``points`` of shape (K, D) instead."""
        points = np.asarray(points, dtype=float)
        if np.array_equal(points, self.shift):
            return self
        e = points - self.shift
        return Moments(self.n, self.first - self.n[:, None] * e, self.about(points), points)

    def moved_like(self, target):
        return self.recentre(target.shift)

    def __add__(self, other):
        if not isinstance(other, Moments) or np.shape(other.second) != np.shape(self.second):
            raise ValueError(f"cannot add Moments {self!r} and {other!r}; compute every "
                             "block's statistics with the same component")
        other = other.recentre(self.shift)
        return Moments(self.n + other.n, self.first + other.first,
                       self.second + other.second, self.shift)

    def __mul__(self, scalar):
        return Moments(self.n * scalar, self.first * scalar, self.second * scalar, self.shift)


def recentre(stats: Tree, onto: Tree) -> Tree:
    """Move every leaf of ``stats`` that defines
    :meth:`~emkit.engine.tree.StatisticLeaf.moved_like` (:class:`Moments`, the factor
    analyser's moments, a Poisson's rate anchor...) to the point of its counterpart in
    ``onto``; leaves that add only at one point (a regression expert's) are left as they are.

    Parameters
    ----------
    stats, onto : Tree
        Statistics of the same model (the same entries); ``onto`` gives the points.

    Returns
    -------
    Tree
        ``stats`` with every such leaf taken about ``onto``'s points
        (:meth:`~emkit.engine.tree.StatisticLeaf.moved_like`); other leaves as they are. Then
        ``recentre(s1, s2) + s2`` adds about ``s2``'s points.
    """
    def move(value, target):
        if isinstance(value, Tree):
            return Tree({k: move(v, target[k]) for k, v in value.items()})
        if isinstance(value, StatisticLeaf):
            return value.moved_like(target)
        return value

    return move(stats, onto)
