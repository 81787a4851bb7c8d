"""Central finite differences on the flat unconstrained parameter vector (one home)."""
from __future__ import annotations

import numpy as np

__all__ = ["gradient", "hessian", "jacobian", "steps"]

#: Relative step of first differences (error O(h^2), rounding O(eps / h)).
FIRST_STEP = 1e-5
#: Relative step of second differences of a scalar.
SECOND_STEP = 1e-4


def steps(x, scale):
    """Per-coordinate steps ``scale * (1 + |x_j|)``, shape (P,)."""
    return scale * (1.0 + np.abs(np.asarray(x, dtype=float)))


def jacobian(fn, x, scale=FIRST_STEP):
    """``d fn / d x`` by central differences: fn(x) of shape S -> array of shape S + (P,)."""
    x = np.asarray(x, dtype=float)
    h = steps(x, scale)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h[j]
        columns.append((np.asarray(fn(x + step)) - np.asarray(fn(x - step))) / (2 * h[j]))
    return np.stack(columns, axis=-1)


def gradient(fn, x, scale=FIRST_STEP):
    """Gradient (P,) of a scalar ``fn`` by central differences."""
    return jacobian(lambda v: np.asarray(float(fn(v))), x, scale)


def hessian(fn, x, scale=SECOND_STEP):
    """Hessian (P, P) of a scalar ``fn`` by central second differences, symmetrised."""
    x = np.asarray(x, dtype=float)
    h, size = steps(x, scale), x.size
    centre = float(fn(x))
    out = np.empty((size, size))
    for i in range(size):
        for j in range(i, size):
            out[i, j] = out[j, i] = _second(fn, x, h, i, j, centre)
    return out


def _second(fn, x, h, i, j, centre):
    def at(di, dj):
        step = np.zeros_like(x)
        step[i] += di * h[i]
        step[j] += dj * h[j]
        return float(fn(x + step))

    if i == j:
        return (at(1, 0) - 2 * centre + at(-1, 0)) / h[i] ** 2
    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j])
