"""Statistics summed at one parameter point: the local expansion a GEM M-step climbs.

A regression expert's or a gate's expected log-likelihood has no fixed-size sufficient
statistics: ``sum_i r_ik log p(y_i | x_i, beta)`` needs every row for every ``beta``. What one
pass over the data can sum is its value, gradient and a curvature *at the current point*
``beta_t`` (the anchor), and from those a quadratic that touches the expected log-likelihood at
``beta_t`` and lies below it nearby (a minorant). Maximising the minorant raises the expected
log-likelihood: a generalised EM step (Dempster, Laird & Rubin 1977, section 3; Böhning 1992).
"""
from __future__ import annotations

import numpy as np

from ...engine.tree import StatisticLeaf, freeze

__all__ = ["Anchored"]


class Anchored(StatisticLeaf):
    """Sums over rows, all computed at one anchor point.

    Parameters
    ----------
    anchor : ndarray
        The parameters the sums were computed at (every block's must be the same).
    **sums : ndarray
        Row sums (values, gradients, curvatures); they add across blocks and scale.

    Notes
    -----
    Blocks computed at different anchors cannot be combined: their expansions are about
    different points. Online EM, which averages statistics across parameter values, therefore
    does not apply to models whose statistics are anchored.
    """

    __slots__ = ("anchor", "sums")

    def __init__(self, anchor, **sums):
        self.anchor = freeze(np.asarray(anchor, dtype=float))
        self.sums = {name: freeze(np.asarray(value, dtype=float)) for name, value in sums.items()}

    def __getattr__(self, name):
        if name in Anchored.__slots__:  # not yet set (while unpickling)
            raise AttributeError(name)
        try:
            return self.sums[name]
        except KeyError:
            raise AttributeError(name) from None

    def arrays(self):
        return {"anchor": self.anchor, **self.sums}

    def __add__(self, other):
        if not isinstance(other, Anchored) or other.sums.keys() != self.sums.keys():
            raise ValueError(f"cannot combine anchored statistics with {other!r}")
        if not np.array_equal(self.anchor, other.anchor):
            raise ValueError(
                "cannot combine statistics computed at different parameters: a regression "
                "expert's or gate's statistics are a local expansion about the current "
                "parameters, so they cannot be averaged over parameter values (online EM). "
                "Fit it with batch EM.")
        return Anchored(self.anchor, **{name: self.sums[name] + other.sums[name]
                                        for name in self.sums})

    def __mul__(self, scalar):
        return Anchored(self.anchor, **{name: value * scalar for name, value in self.sums.items()})

    def __repr__(self):
        return f"Anchored(anchor shape={self.anchor.shape}, sums={sorted(self.sums)})"
