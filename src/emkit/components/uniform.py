"""The uniform component: constant density on an axis-aligned box, e.g. a background."""
from __future__ import annotations

import numpy as np

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.tree import Extreme, Tree
from ..exceptions import ComponentCollapseError

__all__ = ["Uniform"]

_REMEDY = ("A uniform background is usually held at a known box: pass its bounds as starting "
           "values and fix them (params_init={'low': ..., 'high': ...}, fixed={'low', 'high'}).")


class Uniform(Component):
    """Uniform densities on boxes ``[low_k, high_k]`` (per feature), batched over K.

    Parameters are ``low`` and ``high``, both of shape (n_components, n_features), with
    ``low < high`` everywhere.

    Notes
    -----
    ``log p(x | low_k, high_k) = -sum_j log(high_kj - low_kj)`` when
    ``low_k <= x <= high_k`` (every feature), ``-inf`` otherwise. The weighted MLE is the
    smallest box holding every row of positive weight, so the statistics are the weight
    ``N_k`` and the range of those rows, which combine across blocks by minimum and maximum
    (:class:`~emkit.engine.tree.Extreme`) rather than by sums. Used as the background of a
    heterogeneous mixture, the box is usually fixed.
    """

    family = "Uniform"

    def __repr__(self):
        return "Uniform()"

    def constraints(self):
        return {"low": constraints.real, "high": constraints.real}

    def log_volumes(self, params):
        """``log prod_j (high_kj - low_kj)`` of every box.

        Parameters
        ----------
        params : Tree
            ``low`` and ``high``, of shape (n_components, n_features).

        Returns
        -------
        ndarray of shape (n_components,)

        Raises
        ------
        ValueError
            If some ``high`` is not above its ``low``.
        """
        return params.cached("uniform_log_volume", lambda: _log_volumes(params))

    def log_prob(self, params, X):
        log_volumes = self.log_volumes(params)
        out = np.empty((X.shape[0], log_volumes.size))
        for k in range(log_volumes.size):
            inside = np.all((X >= params.low[k]) & (X <= params.high[k]), axis=1)
            out[:, k] = np.where(inside, -log_volumes[k], -np.inf)
        return out

    def expected_stats(self, params, X, weights):
        n_components = weights.shape[1]
        lower = np.full((n_components, X.shape[1]), np.inf)
        upper = np.full((n_components, X.shape[1]), -np.inf)
        for k in range(n_components):
            seen = X[weights[:, k] > 0]
            if seen.shape[0]:
                lower[k], upper[k] = seen.min(axis=0), seen.max(axis=0)
        return Tree(n=np.sum(weights, axis=0, dtype=np.float64),
                    lower=Extreme(lower, np.minimum), upper=Extreme(upper, np.maximum))

    def m_step(self, stats, params, fixed=frozenset()):
        low = params.low if "low" in fixed else _bounds(stats.lower.value, params, "low")
        high = params.high if "high" in fixed else _bounds(stats.upper.value, params, "high")
        narrow = np.argwhere(~(np.asarray(high) > np.asarray(low)))
        if narrow.size:
            k, column = (int(v) for v in narrow[0])
            raise ComponentCollapseError(
                k, f"its Uniform box has no width in X column {column} (every row it holds "
                   f"has the value {float(low[k, column])!r} there)", _REMEDY)
        return Tree(low=low, high=high)

    def expected_log_prob(self, stats, params):
        log_volumes = self.log_volumes(params)
        held = stats.n > 0
        outside = np.any(stats.lower.value < params.low, axis=1) | np.any(
            stats.upper.value > params.high, axis=1)
        if np.any(held & outside):
            return -np.inf
        return float(-np.sum(np.where(held, stats.n * log_volumes, 0.0)))

    def init_params(self, X, resp, rng):
        """A start whose box covers the data, the same for every component.

        The starting responsibilities do not shape the box: a box drawn from the rows that
        initialisation happened to give a component would cover only part of the data, and a
        background held fixed (``fixed={"low", "high"}``) would keep it. Each box is the
        range of every row of ``X``, widened on each side by range / (n - 1), the
        unbiased estimate of a uniform's end points from ``n`` draws, so that rows outside an
        initialisation sample fall inside too.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Weighted starting responsibilities; only their number of columns is used.
        rng : numpy.random.Generator
            Unused: the start is deterministic.

        Returns
        -------
        Tree
            ``low`` and ``high``, each of shape (n_components, n_features).
        """
        covered = self.expected_stats(None, X, np.ones((X.shape[0], 1)))
        box = self.m_step(covered, None)
        margin = (box.high - box.low) / max(X.shape[0] - 1, 1)
        n_components = np.shape(resp)[1]
        return Tree(low=np.repeat(box.low - margin, n_components, axis=0),
                    high=np.repeat(box.high + margin, n_components, axis=0))

    def sample(self, params, labels, rng):
        out = np.empty((len(labels), params.low.shape[1]))
        for k in range(params.low.shape[0]):
            rows = np.flatnonzero(labels == k)
            out[rows] = rng.uniform(params.low[k], params.high[k], size=(rows.size,
                                                                       out.shape[1]))
        return out


def _log_volumes(params):
    widths = np.asarray(params.high, dtype=float) - np.asarray(params.low, dtype=float)
    if widths.ndim != 2:
        raise ValueError(f"Uniform parameters 'low' and 'high' must have shape (n_components, "
                         f"n_features); got {np.shape(params.low)} and {np.shape(params.high)}.")
    bad = np.argwhere(~(widths > 0))
    if bad.size:
        k, column = (int(v) for v in bad[0])
        raise ValueError(
            f"Uniform parameters: 'high' must exceed 'low' in every component and column; "
            f"component {k}, column {column} has low={float(params.low[k, column])!r} and "
            f"high={float(params.high[k, column])!r}. Pass a box with positive width."
        )
    return np.log(widths).sum(axis=1)


def _bounds(extreme, params, name):
    """The range of the rows each component held; components that held none keep ``params``."""
    empty = ~np.all(np.isfinite(extreme), axis=1)
    if not np.any(empty):
        return extreme
    if params is None:
        k = int(np.flatnonzero(empty)[0])
        raise ComponentCollapseError(k, "no row gave its Uniform box any weight", _REMEDY)
    return np.where(empty[:, None], params[name], extreme)
