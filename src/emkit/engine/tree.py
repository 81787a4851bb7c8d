"""Immutable trees of arrays: the one container for parameters and for statistics.

Parameters and sufficient statistics are both small nested mappings from names to arrays.
A :class:`Tree` holds them immutably (its arrays are read-only), supports dotted paths
(``"components.means"``) for fixing parameters by name, and adds leaf by leaf, which is what makes
statistics from separate blocks of data combine exactly (``stats(X1) + stats(X2)``).

Most statistics are plain sums. A :class:`StatisticLeaf` is a leaf that combines otherwise: an
:class:`Extreme` by elementwise minimum or maximum (the range of the rows a component saw, the
sufficient statistic of a uniform density), and :class:`~emkit.engine.moments.Moments` (moments
about a reference point) by moving both operands to one point first.
"""
from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["Extreme", "Params", "StatisticLeaf", "Stats", "Tree", "freeze", "tree_sum"]


def _root(array: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``array`` views (itself if it owns it)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _is_frozen(array: np.ndarray) -> bool:
    """Whether nobody can write ``array``'s values: read-only, and so is what it views."""
    if array.flags.writeable:
        return False
    root = _root(array)
    return not root.flags.writeable and (root.base is None or isinstance(root.base, bytes))


def freeze(value):
    """A read-only array of ``value`` (copied only if it could still change); Trees and
    statistic leaves are returned as they are, other mappings become Trees."""
    if isinstance(value, (Tree, StatisticLeaf)):
        return value
    if isinstance(value, Mapping):
        return Tree(value)
    if isinstance(value, np.ndarray) and _is_frozen(value):
        return value
    array = np.array(value, copy=True)
    array.flags.writeable = False
    return array


class StatisticLeaf(ABC):
    """A statistics leaf with its own rule for combining blocks (not a plain sum).

    Subclasses define ``+`` (two blocks' statistics into one), ``*`` by a scalar (how the
    leaf scales when statistics are weighted, as online EM does) and :meth:`arrays`.
    """

    @abstractmethod
    def arrays(self) -> dict:
        """The leaf's arrays by name (to compare, save or inspect statistics)."""

    @abstractmethod
    def __add__(self, other): ...

    @abstractmethod
    def __mul__(self, scalar): ...

    def __rmul__(self, scalar):
        return self * scalar

    def moved_like(self, target):
        """This leaf taken about the reference point of ``target`` (the same leaf computed at
        other parameters); leaves without a reference point return themselves.

        Parameters
        ----------
        target : StatisticLeaf
            Of the same type and shapes.

        Returns
        -------
        StatisticLeaf
        """
        return self


class Extreme(StatisticLeaf):
    """A statistics leaf combined by an elementwise extreme (minimum or maximum), not summed.

    Parameters
    ----------
    value : array-like
        The extreme over the rows seen so far (``+inf`` for a minimum over no rows).
    combine : {numpy.minimum, numpy.maximum}
        How two blocks' extremes combine.

    Notes
    -----
    Scaling leaves an extreme unchanged: the range of the rows seen does not depend on how
    much they weigh.
    """

    __slots__ = ("value", "combine")

    def __init__(self, value, combine):
        if combine is not np.minimum and combine is not np.maximum:
            raise ValueError(f"combine must be numpy.minimum or numpy.maximum; got {combine!r}")
        self.value = freeze(value)
        self.combine = combine

    def arrays(self):
        return {"value": self.value}

    def __add__(self, other):
        if not isinstance(other, Extreme) or other.combine is not self.combine:
            raise ValueError(
                f"cannot combine an Extreme({self.combine.__name__}) statistic with {other!r}; "
                "compute every block's statistics with the same component"
            )
        return Extreme(self.combine(self.value, other.value), self.combine)

    def __mul__(self, scalar):
        return self

    def __repr__(self):
        return f"Extreme({self.combine.__name__}, shape={np.shape(self.value)})"


class Tree(Mapping):
    """An immutable nested mapping of names to arrays or to other Trees.

    Parameters
    ----------
    items : mapping, optional
        Names to values. Values are frozen: arrays become read-only (an array that is already
        read-only, with nothing writable behind it, is kept without a copy: whoever owns it
        must not make it writable again), mappings become Trees, statistic leaves are kept.
    **kwargs
        More names and values.

    Notes
    -----
    Leaves are reachable as items (``tree["means"]``), as attributes (``tree.means``) and by
    dotted path (``tree.get_path("components.means")``). Derived quantities that are costly to
    compute (a precision Cholesky factor, say) are memoised with :meth:`cached`, which is safe
    because a Tree never changes.
    """

    __slots__ = ("_items", "_cache")

    def __init__(self, items=None, /, **kwargs):
        merged = dict(items or {}, **kwargs)
        object.__setattr__(self, "_items", {str(k): freeze(v) for k, v in merged.items()})
        object.__setattr__(self, "_cache", {})

    # -- mapping protocol -------------------------------------------------------------------
    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __getattr__(self, name):
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(
                f"Tree has no entry {name!r}; entries are {sorted(self._items)}"
            ) from None

    def __setattr__(self, name, value):
        raise AttributeError("Tree is immutable; use .replace(...) to get a changed copy")

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __getstate__(self):
        return self._items

    def __setstate__(self, items):
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_cache", {})

    def __repr__(self):
        def describe(v):
            return repr(v) if isinstance(v, (Tree, StatisticLeaf)) else f"array{np.shape(v)}"

        body = ", ".join(f"{k}={describe(v)}" for k, v in self._items.items())
        return f"Tree({body})"

    # -- functional updates -----------------------------------------------------------------
    def replace(self, **changes):
        """Return a copy with some entries replaced (or added).

        Parameters
        ----------
        **changes : array-like or Tree
            New entries by name.

        Returns
        -------
        Tree
        """
        return Tree({**self._items, **changes})

    def paths(self, prefix=""):
        """Every leaf by its dotted path, depth first, in insertion order.

        Parameters
        ----------
        prefix : str, default=""
            Put before every path.

        Returns
        -------
        dict of str to ndarray
            ``{dotted_path: leaf}``.
        """
        out = {}
        for key, value in self._items.items():
            path = f"{prefix}{key}"
            if isinstance(value, Tree):
                out.update(value.paths(path + "."))
            else:
                out[path] = value
        return out

    @classmethod
    def from_paths(cls, leaves):
        """Build a Tree from its leaves by dotted path (the inverse of :meth:`paths`).

        Parameters
        ----------
        leaves : dict of str to array-like
            ``{dotted_path: array}``.

        Returns
        -------
        Tree
        """
        nested = {}
        for path, value in leaves.items():
            node = nested
            *parents, name = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[name] = value
        return cls(nested)

    def get_path(self, path):
        """The leaf (or subtree) at a dotted path.

        Parameters
        ----------
        path : str
            Such as ``"components.means"``.

        Returns
        -------
        ndarray or Tree
        """
        node = self
        for part in path.split("."):
            node = node[part]
        return node

    def replace_path(self, path, value):
        """Return a copy with the entry at a dotted path replaced.

        Parameters
        ----------
        path : str
            Dotted path of the entry.
        value : array-like or Tree
            Its new value.

        Returns
        -------
        Tree
        """
        head, _, rest = path.partition(".")
        if not rest:
            return self.replace(**{head: value})
        return self.replace(**{head: self[head].replace_path(rest, value)})

    def map(self, fn):
        """Apply ``fn`` to every array leaf (statistic leaves are kept).

        Parameters
        ----------
        fn : callable
            ``fn(array) -> array``.

        Returns
        -------
        Tree
        """
        return Tree({k: _map_leaf(v, fn) for k, v in self._items.items()})

    def cached(self, key, compute):
        """``compute()``, memoised on this (immutable) Tree under ``key``.

        Parameters
        ----------
        key : str
            Names the cached value.
        compute : callable
            Called with no arguments the first time.

        Returns
        -------
        object
            What ``compute()`` returned.
        """
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- arithmetic for statistics ------------------------------------------------------------
    def __add__(self, other):
        if not isinstance(other, Tree) or self._items.keys() != other._items.keys():
            raise ValueError(
                "cannot add statistics with different entries: "
                f"{sorted(self._items)} and {sorted(getattr(other, '_items', {}))}"
            )
        return Tree({k: self._items[k] + other._items[k] for k in self._items})

    def __mul__(self, scalar):
        """Scale every leaf (statistic leaves by their own rule): ``0.9 * stats``."""
        return Tree({k: v * scalar for k, v in self._items.items()})

    __rmul__ = __mul__


def _map_leaf(value, fn):
    if isinstance(value, Tree):
        return value.map(fn)
    if isinstance(value, StatisticLeaf):
        return value
    return fn(value)


def tree_sum(items: Iterable, combine=operator.add):
    """Combine items pairwise as they stream in, holding O(log n) partial results.

    The pairing is fixed by position (an earlier item is always the left operand), so the
    result does not depend on timing, and pairwise summation keeps rounding error at
    O(log n) rather than O(n).

    Parameters
    ----------
    items : iterable
        At least one item (Trees, EStep results, arrays...).
    combine : callable, default=operator.add
        An associative ``combine(left, right)``.

    Returns
    -------
    The combination of all items.
    """
    stack = []  # (level, partial result); levels strictly decrease from bottom to top
    for item in items:
        level, total = 0, item
        while stack and stack[-1][0] == level:
            total = combine(stack.pop()[1], total)
            level += 1
        stack.append((level, total))
    if not stack:
        raise ValueError("tree_sum needs at least one item; the data produced no blocks")
    total = stack.pop()[1]
    while stack:
        total = combine(stack.pop()[1], total)
    return total


Params = Tree
Stats = Tree
