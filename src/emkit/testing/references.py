"""Reference densities for the conformance kit: scipy.stats objects, and products of them.

A *reference* is any object with ``logpdf`` (or ``logpmf``) taking rows of shape
(n_samples, n_features) to (n_samples,), and ``rvs(size, random_state)``. A frozen
scipy.stats distribution is one (univariate ones take a single column); :class:`Product`
makes one from independent per-column (or per-group) references, which is what a component
with independent features is.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["Product", "draw", "is_discrete", "log_density", "marginal"]


def _scipy_law(reference):
    """The scipy.stats univariate distribution behind a reference (frozen or not), or None."""
    for law in (reference, getattr(reference, "dist", None)):
        if isinstance(law, (stats.rv_continuous, stats.rv_discrete)):
            return law
    return None


def _univariate(reference):
    return _scipy_law(reference) is not None


def is_discrete(reference) -> bool:
    """Whether the reference is a probability mass function (has ``logpmf``)."""
    if isinstance(reference, Product):
        return all(is_discrete(part) for part in reference.parts)
    if _univariate(reference):
        return isinstance(_scipy_law(reference), stats.rv_discrete)
    return hasattr(reference, "logpmf")


def log_density(reference, X) -> np.ndarray:
    """``log p(x_i)`` of every row of X (n_samples, n_features) -> (n_samples,)."""
    X = np.asarray(X, dtype=float)
    method = getattr(reference, "logpmf", None) if is_discrete(reference) else None
    method = method or reference.logpdf
    if _univariate(reference):
        if X.shape[1] != 1:
            raise ValueError(f"a univariate scipy.stats reference cannot score rows with "
                             f"{X.shape[1]} columns; wrap one law per column in "
                             "emkit.testing.Product")
        return np.asarray(method(X[:, 0]), dtype=float)
    out = np.asarray(method(X), dtype=float).reshape(-1)
    if out.shape != (X.shape[0],):
        raise ValueError(f"the reference's log density returned shape {np.shape(out)} for "
                         f"{X.shape[0]} rows; it must return one value per row")
    return out


def draw(reference, n_samples, rng) -> np.ndarray:
    """``n_samples`` rows from the reference, shape (n_samples, n_features)."""
    rows = np.asarray(reference.rvs(size=n_samples, random_state=rng), dtype=float)
    return rows.reshape(n_samples, -1)


def marginal(reference, column, n_features):
    """A univariate scipy.stats law of one column (with cdf or pmf), or None if unknown."""
    if isinstance(reference, Product):
        return reference.marginal(column)
    if n_features == 1 and _univariate(reference):
        return reference
    return None


class Product:
    """Independent references side by side: ``p(x) = prod_j p_j(x_[columns of j])``.

    Parameters
    ----------
    parts : list of references
        In column order.
    widths : list of int, optional
        Columns of each part (1 each by default).
    """

    def __init__(self, parts, widths=None):
        self.parts = list(parts)
        self.widths = [1] * len(self.parts) if widths is None else [int(w) for w in widths]
        self.stops = np.cumsum(self.widths)

    def _slices(self):
        return [slice(stop - width, stop) for stop, width in zip(self.stops, self.widths)]

    def logpdf(self, X):
        X = np.asarray(X, dtype=float)
        return sum(log_density(part, X[:, cols]) for part, cols in zip(self.parts,
                                                                          self._slices()))

    def rvs(self, size, random_state=None):
        return np.hstack([draw(part, size, random_state) for part in self.parts])

    def marginal(self, column):
        index = int(np.searchsorted(self.stops, column, side="right"))
        local = column - (self.stops[index] - self.widths[index])
        return marginal(self.parts[index], local, self.widths[index])
