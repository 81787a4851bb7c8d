"""Constraints on parameters, declared once per parameter.

A component or model declares, for each parameter, the set it lives in (``real``, ``positive``,
``simplex``, ``spd``, ...). The declaration drives three things:

* validation of user-given initial parameters (:meth:`Constraint.problem`),
* the unconstrained coordinates that acceleration schemes extrapolate in
  (:meth:`Constraint.to_unconstrained` / :meth:`Constraint.from_unconstrained`),
* the number of free parameters, for BIC and AIC (:meth:`Constraint.n_free`).

Arrays carry the component axis K first; the constraint applies to each trailing block.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Constraint",
    "positive",
    "real",
    "simplex",
    "spd",
    "unit_interval",
    "unit_vector",
]


@dataclass(frozen=True)
class Constraint:
    """A parameter set with a bijection (or surjection) from unconstrained space.

    Parameters
    ----------
    name : str
        Short name shown in error messages (``"positive"``).
    event_ndim : int
        Number of trailing axes one constrained value spans (0 for elementwise, 1 for a
        simplex vector, 2 for a matrix).
    """

    name: str
    event_ndim: int

    def problem(self, value) -> str | None:
        """Describe why ``value`` is not in the set, or return None if it is."""
        value = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(value)):
            return "it contains NaN or infinite values"
        return _PROBLEMS[self.name](value)

    def to_unconstrained(self, value):
        """Map a constrained array to unconstrained coordinates of the same shape."""
        return _FORWARD[self.name](np.asarray(value, dtype=float))

    def from_unconstrained(self, value):
        """Map unconstrained coordinates back into the set."""
        return _INVERSE[self.name](np.asarray(value, dtype=float))

    def n_free(self, shape) -> int:
        """Number of free parameters of an array of this shape in the set."""
        size = int(np.prod(shape, dtype=np.int64))
        if self.name == "simplex" or self.name == "unit_vector":
            return size - size // shape[-1]
        if self.name == "spd":
            d = shape[-1]
            return (size // (d * d)) * d * (d + 1) // 2
        return size


def _spd_problem(value):
    if value.shape[-1] != value.shape[-2]:
        return f"its trailing axes {value.shape[-2:]} are not square"
    if not np.allclose(value, np.swapaxes(value, -1, -2), rtol=1e-8, atol=1e-12):
        return "it is not symmetric"
    flat = value.reshape((-1,) + value.shape[-2:])
    for index, matrix in enumerate(flat):
        if np.linalg.eigvalsh(matrix)[0] <= 0:
            return f"matrix {index} is not positive definite"
    return None


def _simplex_problem(value):
    if np.any(value < 0):
        return "it has negative entries"
    if not np.allclose(value.sum(axis=-1), 1.0, rtol=0, atol=1e-8):
        return f"it does not sum to 1 along its last axis (sums: {value.sum(axis=-1)})"
    return None


def _spd_forward(value):
    chol = np.linalg.cholesky(value)
    diag = np.einsum("...ii->...i", chol)
    out = np.tril(chol, -1)
    idx = np.arange(value.shape[-1])
    out[..., idx, idx] = np.log(diag)
    return out


def _spd_inverse(value):
    chol = np.tril(value, -1)
    idx = np.arange(value.shape[-1])
    chol[..., idx, idx] = np.exp(np.einsum("...ii->...i", value))
    return chol @ np.swapaxes(chol, -1, -2)


def _softmax(value):
    shifted = value - np.max(value, axis=-1, keepdims=True)
    out = np.exp(shifted)
    return out / out.sum(axis=-1, keepdims=True)


def _log_centred(value):
    with np.errstate(divide="ignore"):
        logs = np.log(value)
    finite = np.where(np.isfinite(logs), logs, 0.0)
    count = np.maximum(np.isfinite(logs).sum(axis=-1, keepdims=True), 1)
    return logs - finite.sum(axis=-1, keepdims=True) / count


_PROBLEMS = {
    "real": lambda v: None,
    "positive": lambda v: "it has entries <= 0" if np.any(v <= 0) else None,
    "unit_interval": lambda v: (
        "it has entries outside [0, 1]" if np.any((v < 0) | (v > 1)) else None
    ),
    "simplex": _simplex_problem,
    "spd": _spd_problem,
    "unit_vector": lambda v: (
        "its rows do not have unit length"
        if not np.allclose(np.linalg.norm(v, axis=-1), 1.0, atol=1e-8)
        else None
    ),
}

_FORWARD = {
    "real": lambda v: v.copy(),
    "positive": np.log,
    "unit_interval": lambda v: np.log(v) - np.log1p(-v),
    "simplex": _log_centred,
    "spd": _spd_forward,
    "unit_vector": lambda v: v.copy(),
}

_INVERSE = {
    "real": lambda v: v.copy(),
    "positive": np.exp,
    "unit_interval": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "simplex": _softmax,
    "spd": _spd_inverse,
    "unit_vector": lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True),
}

real = Constraint("real", 0)
positive = Constraint("positive", 0)
unit_interval = Constraint("unit_interval", 0)
simplex = Constraint("simplex", 1)
spd = Constraint("spd", 2)
unit_vector = Constraint("unit_vector", 1)
