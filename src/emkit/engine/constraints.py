"""Constraints on parameters, declared once per parameter.

A component or model declares, for each parameter, the set it lives in (``real``, ``positive``,
``simplex``, ``spd``, ...), as a nested dict mirroring the parameter Tree. The declaration drives:

* validation of parameters (:meth:`Constraint.problem`, :func:`emkit.engine.validation.check_params`),
* the unconstrained coordinates that acceleration, standard errors and optimisers work in
  (:meth:`Constraint.forward` / :meth:`Constraint.inverse`; see :mod:`emkit.engine.geometry`),
* the number of free parameters, for BIC and AIC (:meth:`Constraint.n_free`).

Arrays carry the component axis K first; a constraint applies to each trailing event (one
entry, one probability vector, one matrix). A probability vector may hold *structural zeros*
(a forbidden HMM transition): EM keeps them at zero, so they are not free parameters, and the
coordinates of the vector cover its allowed entries only (:meth:`Constraint.allowed`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

#: Absolute tolerance on "sums to 1" of probability vectors.
SUM_TOLERANCE = 1e-8

__all__ = [
    "SUM_TOLERANCE",
    "Constraint",
    "flat_constraints",
    "positive",
    "real",
    "simplex",
    "spd",
    "unit_interval",
    "unit_vector",
]


class Constraint(ABC):
    """A set of parameter values with a map from unconstrained coordinates onto it.

    Attributes
    ----------
    name : str
        Short name shown in error messages (``"positive"``).
    event_ndim : int
        Trailing axes one constrained value spans (0 elementwise, 1 a vector, 2 a matrix).
    """

    name: str
    event_ndim: int

    def __repr__(self):
        return f"constraints.{self.name}"

    def problem(self, value) -> str | None:
        """Describe why ``value`` is not in the set, or return None if it is."""
        value = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(value)):
            return "it contains NaN or infinite values"
        if value.ndim < self.event_ndim:
            return f"it has {value.ndim} axes; a {self.name} value needs {self.event_ndim}"
        return self._problem(value)

    def allowed(self, value) -> np.ndarray | None:
        """Entries that are free (True) or structural zeros (False); None if all are free."""
        return None

    def n_free(self, shape, allowed=None) -> int:
        """Number of free parameters of an array of this shape (and allowed entries)."""
        return self.size(shape, allowed)

    def size(self, shape, allowed=None) -> int:
        """Number of unconstrained coordinates of an array of this shape."""
        return int(np.prod(shape, dtype=np.int64))

    @abstractmethod
    def _problem(self, value) -> str | None:
        """:meth:`problem` for finite values."""

    @abstractmethod
    def forward(self, value, allowed=None) -> np.ndarray:
        """Unconstrained coordinates of ``value``, a 1-D array of :meth:`size` entries."""

    @abstractmethod
    def inverse(self, coordinates, shape, allowed=None) -> np.ndarray:
        """The value of the given shape at these coordinates (the inverse of :meth:`forward`)."""


class _Elementwise(Constraint):
    """A constraint on each entry separately, through a bijection of the real line."""

    event_ndim = 0

    def __init__(self, name, problem, to_real, from_real):
        self.name, self._check, self._to, self._from = name, problem, to_real, from_real

    def _problem(self, value):
        return self._check(value)

    def forward(self, value, allowed=None):
        with np.errstate(divide="ignore"):
            return np.ravel(self._to(np.asarray(value, dtype=float)))

    def inverse(self, coordinates, shape, allowed=None):
        return np.reshape(self._from(np.asarray(coordinates, dtype=float)), shape)


def _vectors(value):
    """``value`` as rows (n_vectors, length) along its last axis."""
    value = np.asarray(value, dtype=float)
    return value.reshape(-1, value.shape[-1])


def _reference_entries(allowed_rows):
    """Index of the last allowed entry of each row (the reference of the log-ratios)."""
    return allowed_rows.shape[1] - 1 - np.argmax(allowed_rows[:, ::-1], axis=1)


class _Simplex(Constraint):
    """Probability vectors along the last axis; coordinates are additive log-ratios.

    Each vector's coordinates are ``log(p_j / p_r)`` over its allowed entries j other than
    the last allowed one, r: a bijection onto the vectors with those entries positive (and the
    structural zeros at zero).
    """

    name, event_ndim = "simplex", 1

    def _problem(self, value):
        negative = np.argwhere(value < 0)
        if negative.size:
            where = tuple(int(i) for i in negative[0])
            return (f"entry {list(where)} is {float(value[where])!r}, and probabilities are "
                    ">= 0")
        sums = np.atleast_1d(value.sum(axis=-1))
        off = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
        if off.size:
            if value.ndim == 1:
                return f"it sums to {float(sums[0])!r}, not 1"
            row = np.unravel_index(off[0], value.shape[:-1])
            return (f"it does not sum to 1 along its last axis: vector "
                    f"{[int(i) for i in row]} sums to {float(sums[off[0]])!r}")
        return None

    def allowed(self, value):
        return np.asarray(value) > 0

    def _kept(self, shape, allowed):
        rows = np.ones((int(np.prod(shape[:-1], dtype=np.int64)), shape[-1]), dtype=bool) \
            if allowed is None else np.asarray(allowed, dtype=bool).reshape(-1, shape[-1])
        kept = rows.copy()
        kept[np.arange(len(rows)), _reference_entries(rows)] = False
        return rows, kept

    def size(self, shape, allowed=None):
        return int(self._kept(shape, allowed)[1].sum())

    def forward(self, value, allowed=None):
        rows = _vectors(value)
        allowed_rows, kept = self._kept(np.shape(value), allowed)
        with np.errstate(divide="ignore"):
            logs = np.log(np.where(allowed_rows, rows, 1.0))
        reference = logs[np.arange(len(rows)), _reference_entries(allowed_rows)]
        return (logs - reference[:, None])[kept]

    def inverse(self, coordinates, shape, allowed=None):
        allowed_rows, kept = self._kept(shape, allowed)
        logs = np.zeros(allowed_rows.shape)
        logs[kept] = coordinates
        logs[~allowed_rows] = -np.inf
        logs -= logs.max(axis=1, keepdims=True)
        with np.errstate(under="ignore"):
            values = np.exp(logs)
        return (values / values.sum(axis=1, keepdims=True)).reshape(shape)


class _PositiveDefinite(Constraint):
    """Symmetric positive definite matrices; coordinates are the log-Cholesky lower triangle."""

    name, event_ndim = "spd", 2

    def _problem(self, value):
        if value.shape[-1] != value.shape[-2]:
            return f"its trailing axes {value.shape[-2:]} are not square"
        if not np.allclose(value, np.swapaxes(value, -1, -2), rtol=1e-8, atol=1e-12):
            return "it is not symmetric"
        flat = value.reshape((-1,) + value.shape[-2:])
        for index, matrix in enumerate(flat):
            try:  # the factor every use of the matrix needs (eigvalsh's smallest eigenvalue
                np.linalg.cholesky(matrix)  # is only accurate to eps * the largest one)
            except np.linalg.LinAlgError:
                return f"matrix {index} is not positive definite"
        return None

    def size(self, shape, allowed=None):
        d = shape[-1]
        return int(np.prod(shape[:-2], dtype=np.int64)) * d * (d + 1) // 2

    def forward(self, value, allowed=None):
        value = np.asarray(value, dtype=float)
        chol = np.linalg.cholesky(value)
        d = value.shape[-1]
        index = np.arange(d)
        chol[..., index, index] = np.log(chol[..., index, index])
        rows, columns = np.tril_indices(d)
        return chol[..., rows, columns].ravel()

    def inverse(self, coordinates, shape, allowed=None):
        d = shape[-1]
        rows, columns = np.tril_indices(d)
        chol = np.zeros(tuple(shape))
        chol[..., rows, columns] = np.reshape(coordinates, tuple(shape[:-2]) + (rows.size,))
        index = np.arange(d)
        chol[..., index, index] = np.exp(chol[..., index, index])
        return chol @ np.swapaxes(chol, -1, -2)


class _UnitVector(Constraint):
    """Unit vectors along the last axis; coordinates are any non-zero vector, normalised back.

    The sphere has no global chart, so the coordinates are the D entries themselves (a
    surjection from the non-zero vectors); a vector has D - 1 free parameters.
    """

    name, event_ndim = "unit_vector", 1

    def _problem(self, value):
        if not np.allclose(np.linalg.norm(value, axis=-1), 1.0, atol=1e-8):
            return "its rows do not have unit length"
        return None

    def n_free(self, shape, allowed=None):
        return self.size(shape) - self.size(shape) // shape[-1]

    def forward(self, value, allowed=None):
        return np.ravel(np.asarray(value, dtype=float))

    def inverse(self, coordinates, shape, allowed=None):
        value = np.reshape(np.asarray(coordinates, dtype=float), shape)
        return value / np.linalg.norm(value, axis=-1, keepdims=True)


def _logit(value):
    return np.log(value) - np.log1p(-value)


def _outside_unit_interval(value):
    return "it has entries outside [0, 1]" if np.any((value < 0) | (value > 1)) else None


real = _Elementwise("real", lambda v: None, lambda v: v.copy(), lambda v: v.copy())
positive = _Elementwise("positive", lambda v: "it has entries <= 0" if np.any(v <= 0) else None,
                        np.log, np.exp)
unit_interval = _Elementwise("unit_interval", _outside_unit_interval, _logit,
                             lambda v: 1.0 / (1.0 + np.exp(-v)))
simplex = _Simplex()
spd = _PositiveDefinite()
unit_vector = _UnitVector()


def flat_constraints(constraints: dict, prefix: str = "") -> dict:
    """``{dotted path: Constraint}`` from a nested constraints dict (the one walker).

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint or nested dict}``, as ``model.constraints()`` returns.
    prefix : str
        Prepended to every path (``"components."``).

    Returns
    -------
    dict
        In declaration order, depth first.
    """
    out = {}
    for name, value in constraints.items():
        if isinstance(value, dict):
            out.update(flat_constraints(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out
