"""Parameter geometry: the flat unconstrained vector of a parameter Tree, and back.

Acceleration (SQUAREM), standard errors and direct optimisation work on one real vector,
whatever the model. The declared constraints give it: every free leaf is mapped to its
unconstrained coordinates (:meth:`~emkit.engine.constraints.Constraint.forward`) and the
coordinates of all leaves are concatenated in declaration order. Fixed parameters are not in
the vector, and neither are structural zeros (a forbidden HMM transition): they keep the values
of the reference parameters the geometry was built at.
"""
from __future__ import annotations

import numpy as np

from .constraints import flat_constraints
from .tree import Tree

__all__ = ["Geometry", "n_free_parameters"]


class _Leaf:
    """One free parameter leaf: its path, constraint, shape, allowed entries and slice."""

    __slots__ = ("path", "constraint", "shape", "allowed", "span")

    def __init__(self, path, constraint, value, start):
        self.path, self.constraint = path, constraint
        self.shape = np.shape(value)
        self.allowed = constraint.allowed(value)
        self.span = slice(start, start + constraint.size(self.shape, self.allowed))


class Geometry:
    """The bijection between parameter Trees near ``reference`` and flat real vectors.

    Parameters
    ----------
    constraints : dict
        ``model.constraints()`` (nested like the parameters).
    reference : Tree
        Parameters that fix the shapes, the structural zeros and the values of fixed leaves.
    fixed : iterable of str, optional
        Dotted paths held fixed (as resolved by :func:`emkit.engine.fixed.resolve_fixed`);
        they are not in the vector.

    Attributes
    ----------
    size : int
        Length of the vector.
    paths : list of str
        The leaves in the vector, in order.

    Examples
    --------
    >>> geometry = Geometry(model.constraints(), params, fixed={"weights"})   # doctest: +SKIP
    >>> vector = geometry.flatten(params)                                      # doctest: +SKIP
    >>> geometry.unflatten(vector)          # params again, to rounding        # doctest: +SKIP
    """

    def __init__(self, constraints: dict, reference: Tree, fixed=frozenset()):
        self.reference = reference
        self._leaves, start = [], 0
        for path, constraint in flat_constraints(constraints).items():
            if path in fixed:
                continue
            leaf = _Leaf(path, constraint, reference.get_path(path), start)
            self._leaves.append(leaf)
            start = leaf.span.stop
        self.size = start
        self.paths = [leaf.path for leaf in self._leaves]

    def __repr__(self):
        return f"Geometry(size={self.size}, paths={self.paths})"

    def coordinate_names(self) -> list:
        """A name for every coordinate of the vector: ``"path[j]"``, j within its leaf."""
        return [f"{leaf.path}[{j}]" for leaf in self._leaves
                for j in range(leaf.span.stop - leaf.span.start)]

    def flatten(self, params: Tree) -> np.ndarray:
        """The unconstrained coordinates of ``params``, shape (size,)."""
        parts = [leaf.constraint.forward(params.get_path(leaf.path), leaf.allowed)
                 for leaf in self._leaves]
        return np.concatenate(parts) if parts else np.zeros(0)

    def unflatten(self, vector) -> Tree:
        """The parameters at ``vector`` (shape (size,)); other leaves from the reference."""
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (self.size,):
            raise ValueError(f"vector must have shape ({self.size},), the free coordinates of "
                             f"{self.paths}; got shape {vector.shape}.")
        params = self.reference
        for leaf in self._leaves:
            value = leaf.constraint.inverse(vector[leaf.span], leaf.shape, leaf.allowed)
            params = params.replace_path(leaf.path, value)
        return params


def n_free_parameters(constraints: dict, params: Tree) -> int:
    """Free parameters of ``params`` under ``constraints``, for BIC and AIC.

    Each leaf counts :meth:`~emkit.engine.constraints.Constraint.n_free` entries: one less
    per probability vector, none for its structural zeros, ``d (d + 1) / 2`` per covariance.
    """
    return int(sum(constraint.n_free(np.shape(value), constraint.allowed(value))
                   for path, constraint in flat_constraints(constraints).items()
                   for value in [params.get_path(path)]))
