"""The collapse policy of components whose parameters all carry K as their leading axis.

After an M-step a component can leave its parameter set: an empty component has no data to
estimate from, and a component holding identical points has an infinite shape or concentration
or a zero variance. Such a component is found through the declared constraints and handled by
one explicit policy: raise a :class:`~emkit.exceptions.ComponentCollapseError` naming it, or
keep its previous parameters and warn.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..engine.tree import Tree
from ..exceptions import ComponentCollapseError, ComponentCollapseWarning

__all__ = ["COLLAPSE_POLICIES", "check_policy", "collapsed_components", "settle_collapse"]

COLLAPSE_POLICIES = ("raise", "keep")

#: Total weight below which a collapse is blamed on the component having no responsibility.
_EMPTY_WEIGHT = 1e-8


def check_policy(on_collapse):
    """Validate the ``on_collapse`` argument and return it."""
    if on_collapse not in COLLAPSE_POLICIES:
        raise ValueError(f"on_collapse must be one of {COLLAPSE_POLICIES}; got {on_collapse!r}.")
    return on_collapse


def collapsed_components(constraints, params):
    """Indices k whose parameters leave their declared sets (non-finite, <= 0, ...).

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint}``; every named array has K as its leading axis.
    params : Tree

    Returns
    -------
    list of int
    """
    n_components = len(params[next(iter(constraints))])
    return [k for k in range(n_components)
            if any(constraint.problem(params[name][k]) for name, constraint in
                   constraints.items())]


def _cause(weight, degenerate):
    if weight < _EMPTY_WEIGHT:
        return f"it received almost no responsibility (total weight {weight:.3g})"
    return degenerate


def settle_collapse(new, old, counts, constraints, policy, degenerate, remedy):
    """Apply the collapse policy to the parameters an M-step produced.

    Parameters
    ----------
    new : Tree
        Parameters from the M-step.
    old : Tree or None
        The parameters before it (None at initialisation: a collapse then always raises).
    counts : ndarray of shape (n_components,)
        Total weight of each component.
    constraints : dict
        ``{name: Constraint}`` of the parameters to check.
    policy : {"raise", "keep"}
    degenerate : str
        Cause given when a component with data collapsed ("its values are all equal").
    remedy : str
        What the user can do, appended to the error message.

    Returns
    -------
    Tree
        ``new``, with the collapsed components' entries taken from ``old`` under "keep".
    """
    broken = collapsed_components(constraints, new)
    if not broken:
        return new
    first = broken[0]
    if policy == "raise" or old is None:
        raise ComponentCollapseError(first, _cause(float(counts[first]), degenerate), remedy)
    restored = {name: np.array(value) for name, value in new.items()}
    for k in broken:
        warnings.warn(f"component {k} collapsed ({_cause(float(counts[k]), degenerate)}); "
                      "keeping its previous parameters (on_collapse='keep')",
                      ComponentCollapseWarning, stacklevel=4)
        for name in restored:
            restored[name][k] = old[name][k]
    return Tree(restored)
