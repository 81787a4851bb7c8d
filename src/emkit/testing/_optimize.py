"""Direct numerical maximisation over a component's parameters, in unconstrained coordinates.

The engine's parameter geometry (:class:`~emkit.engine.geometry.Geometry`) maps the parameters
of all K components to one unconstrained vector; an objective is maximised there with BFGS.
This is the independent reference for an M-step: it knows nothing of the component's
statistics.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize

from ..engine.geometry import Geometry
from ..engine.tree import Tree

__all__ = ["maximise"]


def maximise(objective, geometry: Geometry, start: Tree):
    """Maximise ``objective(params) -> float`` from ``start``; return (params, value).

    Non-finite objective values count as very poor points, so the search stays in the
    support.
    """
    scale = max(abs(objective(start)), 1.0)

    def negative(vector):
        value = objective(geometry.unflatten(vector))
        return -value / scale if np.isfinite(value) else 1e10

    result = optimize.minimize(negative, geometry.flatten(start), method="BFGS",
                               options={"gtol": 1e-10, "maxiter": 5000})
    best = geometry.unflatten(result.x)
    return best, objective(best)
