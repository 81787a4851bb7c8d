"""Direct numerical maximisation over a component's parameters, in unconstrained coordinates.

Each parameter's declared constraint maps it to unconstrained coordinates
(:meth:`~emkit.engine.constraints.Constraint.to_unconstrained`); the parameters of all K
components are flattened into one vector there and an objective is maximised with BFGS. This
is the independent reference for an M-step: it knows nothing of the component's statistics.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize

from ..engine.tree import Tree

__all__ = ["Coordinates", "maximise"]


def _flatten_constraints(constraints, prefix=""):
    out = {}
    for name, value in constraints.items():
        if isinstance(value, dict):
            out.update(_flatten_constraints(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


class Coordinates:
    """The bijection between a parameter Tree and one unconstrained vector.

    Parameters
    ----------
    constraints : dict
        ``component.constraints()`` (nested for composite components).
    params : Tree
        Parameters whose shapes (and non-free leaves) the vector maps back into.
    """

    def __init__(self, constraints, params: Tree):
        self.params = params
        self.leaves = [(path, constraint, np.shape(params.get_path(path)))
                       for path, constraint in _flatten_constraints(constraints).items()]

    def to_vector(self, params: Tree) -> np.ndarray:
        return np.concatenate([
            np.ravel(constraint.to_unconstrained(params.get_path(path)))
            for path, constraint, _ in self.leaves
        ])

    def to_params(self, vector) -> Tree:
        params, start = self.params, 0
        for path, constraint, shape in self.leaves:
            size = int(np.prod(shape, dtype=np.int64))
            block = np.reshape(vector[start:start + size], shape)
            params = params.replace_path(path, constraint.from_unconstrained(block))
            start += size
        return params


def maximise(objective, coordinates: Coordinates, start: Tree):
    """Maximise ``objective(params) -> float`` from ``start``; return (params, value).

    Non-finite objective values count as very poor points, so the search stays in the
    support.
    """
    scale = max(abs(objective(start)), 1.0)

    def negative(vector):
        value = objective(coordinates.to_params(vector))
        return -value / scale if np.isfinite(value) else 1e10

    result = optimize.minimize(negative, coordinates.to_vector(start), method="BFGS",
                               options={"gtol": 1e-10, "maxiter": 5000})
    best = coordinates.to_params(result.x)
    return best, objective(best)
