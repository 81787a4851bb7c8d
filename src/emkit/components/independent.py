"""``Independent``: a product of per-column components, for tables of mixed column types."""
from __future__ import annotations

import numbers
import re

import numpy as np

from ..engine.tree import Tree
from ._composite import Composite, named_parts

__all__ = ["Independent"]

_COLUMN = re.compile(r"\bcolumn (\d+)")


def _as_index_list(entry, name):
    values = [entry] if isinstance(entry, numbers.Integral) else list(entry)
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0
                         for v in values):
        raise ValueError(f"Independent: columns for part {name!r} must be a non-negative column "
                         f"index or a non-empty list of them; got {entry!r}.")
    return [int(v) for v in values]


def _from_widths(widths, names):
    if len(widths) != len(names):
        raise ValueError(f"Independent: widths has {len(widths)} entries but there are "
                         f"{len(names)} parts; give one width per part.")
    columns, start = [], 0
    for name, width in zip(names, widths):
        if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
            raise ValueError(f"Independent: the width of part {name!r} must be a positive "
                             f"integer; got {width!r}.")
        columns.append(list(range(start, start + int(width))))
        start += int(width)
    return columns


def _check_partition(columns, names):
    flat = [c for cols in columns for c in cols]
    seen = {}
    for name, cols in zip(names, columns):
        for c in cols:
            if c in seen:
                raise ValueError(f"Independent: X column {c} is given to both part {seen[c]!r} "
                                 f"and part {name!r}; give every column to exactly one part.")
            seen[c] = name
    missing = sorted(set(range(len(flat))) - set(flat))
    if missing:
        raise ValueError(f"Independent: the parts cover {len(flat)} columns but X columns "
                         f"{missing} belong to none; columns must be 0 .. {len(flat) - 1}, "
                         "each given to exactly one part.")


class Independent(Composite):
    """A product of components over disjoint groups of columns: ``p(x) = prod_j p_j(x_[c_j])``.

    Parameters
    ----------
    parts : list of Component or dict of str to Component
        The families, in column order. A list names the parameter subtrees ``c0``, ``c1``, ...;
        a dict uses its keys (``{"size": Gaussian("diag"), "colour": Categorical(3)}``).
    widths : list of int, optional
        Number of consecutive columns of each part (part 0 takes the first ``widths[0]``).
    columns : list of (int or list of int), optional
        Explicit X column indices of each part, in the order the part sees them. Give
        ``widths`` or ``columns``, not both; with neither, every part takes one column.

    Notes
    -----
    Within a mixture component the parts are independent, so log densities and bounds add,
    and the statistics, M-step, prior and parameter count are each part's own: parameters are
    ``Tree(<name>=<part parameters>, ...)`` with K leading every part's arrays, and a fixed
    path such as ``"c1.rates"`` (or just ``"rates"``) is routed to part ``c1``.
    """

    family = "Independent"

    def __init__(self, parts, *, widths=None, columns=None):
        self.parts = named_parts(parts, "Independent")
        names = list(self.parts)
        if widths is not None and columns is not None:
            raise ValueError("Independent: give widths (consecutive blocks) or columns "
                             "(explicit indices), not both.")
        if columns is not None:
            if len(columns) != len(names):
                raise ValueError(f"Independent: columns has {len(columns)} entries but there "
                                 f"are {len(names)} parts; give one entry per part.")
            columns = [_as_index_list(entry, name) for name, entry in zip(names, columns)]
        else:
            columns = _from_widths([1] * len(names) if widths is None else list(widths), names)
        _check_partition(columns, names)
        self.columns = dict(zip(names, columns))
        self.n_features = sum(len(c) for c in columns)

    def __repr__(self):
        body = ", ".join(f"{name}={part!r} on {self.columns[name]}"
                         for name, part in self.parts.items())
        return f"Independent({body})"

    def explain(self, name, message):
        """Prefix the part and renumber the part's "column j" as the X column it is.

        Parameters
        ----------
        name : str
            The part.
        message : str
            The part's error message.

        Returns
        -------
        str
        """
        cols = self.columns[name]

        def renumber(match):
            local = int(match.group(1))
            return f"column {cols[local]}" if local < len(cols) else match.group(0)

        where = f"X column {cols[0]}" if len(cols) == 1 else f"X columns {cols}"
        return (f"Independent part {name!r} ({self.parts[name].family}) on {where}: "
                + _COLUMN.sub(renumber, message))

    def select(self, X, name):
        """The columns of part ``name``, C-ordered.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            All the columns.
        name : str
            The part.

        Returns
        -------
        ndarray of shape (n_samples, len(columns[name]))
        """
        return np.ascontiguousarray(X[:, self.columns[name]])

    # -- the Component contract, part by part ----------------------------------------------
    def log_prob(self, params, X):
        self._check_width(X)
        return sum(part.log_prob(params[name], self.select(X, name))
                   for name, part in self.parts.items())

    def expected_stats(self, params, X, weights):
        return Tree({
            name: part.expected_stats(None if params is None else params[name],
                                      self.select(X, name), weights)
            for name, part in self.parts.items()
        })

    def init_params(self, X, resp, rng):
        return Tree({name: part.init_params(self.select(X, name), resp, rng)
                     for name, part in self.parts.items()})

    def validate(self, X):
        self._check_width(X)
        self.validate_parts(lambda name: self.select(X, name))

    def validate_fit(self, X):
        self._check_width(X)
        self.validate_parts(lambda name: self.select(X, name), fit=True)

    @property
    def supports_missing(self):
        """Whether every part models missing values."""
        return all(part.supports_missing for part in self.parts.values())

    def conditional_moments(self, params, X):
        """Each part's conditional means and variances in its columns (the parts are
        independent given the component, so a part's missing entries depend on its own
        observed entries only). Every part must support missing data.

        Parameters
        ----------
        params : Tree
            One subtree per part, by the part's name.
        X : ndarray of shape (n_samples, n_features)
            The whole rows (every part's columns), NaN where missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
            Observed entries as they are (variance 0), missing ones at their conditional
            mean and variance under each component, every part in its own columns.
        """
        self._check_width(X)
        means = variances = None
        for name, part in self.parts.items():
            part_means, part_variances = part.conditional_moments(params[name],
                                                                  self.select(X, name))
            if variances is None:
                shape = (X.shape[0], part_means.shape[1], self.n_features)
                means, variances = np.empty(shape), np.empty(shape)
            means[:, :, self.columns[name]] = part_means
            variances[:, :, self.columns[name]] = part_variances
        return means, variances

    def sample(self, params, labels, rng):
        out = np.empty((len(labels), self.n_features))
        for name, part in self.parts.items():
            out[:, self.columns[name]] = part.sample(params[name], labels, rng)
        return out

    def _check_width(self, X):
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"Independent: X has {X.shape[1]} columns but the parts cover "
                f"{self.n_features} ({', '.join(f'{n}: {c}' for n, c in self.columns.items())}). "
                "Pass the table the component was built for."
            )
