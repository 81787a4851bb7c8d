"""The one collapse policy of every component.

After an M-step a component can leave its parameter set: an empty component has no data to
estimate from, and a component holding identical points has an infinite shape or concentration
or a singular covariance. Such a component is found (through the declared constraints, or a
family's own test such as a failed Cholesky factor) and handled by one explicit policy:
``"raise"`` a :class:`~emkit.exceptions.ComponentCollapseError` naming it, its cause and the
remedy; or ``"keep"`` its previous parameters and warn. At initialisation there are no
previous parameters: under "keep" a collapsed component starts from the fit to all the rows
(:func:`init_under_policy`, :func:`init_with_policy`); only if that collapses too is it an
error.
"""
from __future__ import annotations


import numpy as np

from ..engine.tree import Tree
from ..exceptions import ComponentCollapseError, ComponentCollapseWarning, warn

__all__ = ["COLLAPSE_POLICIES", "StartsUnderPolicy", "apply_policy", "check_policy", "collapsed_components",
           "empty_or", "init_under_policy", "init_with_policy", "settle_collapse"]

COLLAPSE_POLICIES = ("raise", "keep")

#: Total weight below which a collapse is blamed on the component having no responsibility.
EMPTY_WEIGHT = 1e-8


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


def empty_or(degenerate):
    """A cause for :func:`settle_collapse`: "no responsibility" if the weight is tiny, else
    ``degenerate`` (a string, or a function of k)."""
    def cause(k, weight):
        if weight < EMPTY_WEIGHT:
            return f"it received almost no responsibility (total weight {weight:.3g})"
        return degenerate(k) if callable(degenerate) else degenerate

    return cause


def _restored(new, old, broken):
    """``new`` with the K-leading arrays of components ``broken`` taken from ``old``."""
    arrays = {name: np.array(value) for name, value in new.items()}
    for name, array in arrays.items():
        for k in broken:
            array[k] = old[name][k]
    return Tree(arrays)


def apply_policy(new, old, counts, find_broken, policy, cause, remedy, *, shared=False):
    """Apply the collapse policy to the parameters an M-step produced.

    Parameters
    ----------
    new : Tree
        Parameters from the M-step (K-leading arrays).
    old : Tree or None
        The parameters before it (None at initialisation: a collapse then raises).
    counts : ndarray of shape (n_components,)
        Total weight of each component.
    find_broken : callable
        ``find_broken(params) -> list of k`` (all, or at least the first, collapsed
        components), e.g. ``lambda p: collapsed_components(constraints, p)``.
    policy : {"raise", "keep"}
    cause : callable
        ``cause(k, weight) -> str``, what went wrong (see :func:`empty_or`).
    remedy : str
        What the user can do, appended to the error message (with, under "raise", the advice
        to pass ``on_collapse='keep'``).
    shared : bool, default=False
        A parameter is shared by all components (a tied covariance): nothing to keep, so a
        collapse raises.

    Returns
    -------
    Tree
        ``new``, with the collapsed components' entries taken from ``old`` under "keep".
    """
    broken = find_broken(new)
    while broken:
        first = broken[0]
        if policy == "raise" or old is None or shared:
            if policy == "raise" and not shared:
                remedy = (f"{remedy.rstrip('.')}, or pass on_collapse='keep' to keep the "
                          "component's previous parameters.")
            raise ComponentCollapseError(first, cause(first, float(counts[first])), remedy)
        for k in broken:
            warn(f"component {k} collapsed ({cause(k, float(counts[k]))}); keeping its "
                 "previous parameters (on_collapse='keep')", ComponentCollapseWarning)
        new = _restored(new, old, broken)
        broken = find_broken(new)
    return new


def settle_collapse(new, old, counts, constraints, policy, degenerate, remedy):
    """:func:`apply_policy` for components found collapsed through their constraints.

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint}`` of K-leading parameters (``component.constraints()``).
    degenerate : str
        The cause given when a component with data collapsed ("its values are all equal").
    new, old, counts, policy, remedy
        As for :func:`apply_policy`.
    """
    return apply_policy(new, old, counts, lambda p: collapsed_components(constraints, p),
                        policy, empty_or(degenerate), remedy)


def init_under_policy(component, X, resp):
    """:func:`init_with_policy` for a component whose M-step takes ``params=None``.

    ``component`` has ``on_collapse``, ``expected_stats`` and ``m_step``; ``resp`` is
    (n_samples, K).
    """
    def m_step(weights, previous):
        return component.m_step(component.expected_stats(None, X, weights), previous)

    return init_with_policy(component.on_collapse, lambda old: m_step(resp, old),
                            lambda: m_step(np.ones_like(resp), None))


def init_with_policy(policy, initial, pooled):
    """Starting parameters under a collapse policy.

    Parameters
    ----------
    policy : {"raise", "keep"}
    initial : callable
        ``initial(fallback) -> Tree``: the M-step from the starting responsibilities, with
        ``fallback`` as the "previous" parameters (None: a collapse raises).
    pooled : callable
        ``pooled() -> Tree``: the M-step from all rows given to every component, what a
        collapsed component starts from under "keep".
    """
    if policy == "raise":
        return initial(None)
    return initial(pooled())


class StartsUnderPolicy:
    """Mixin of the components that start by their own M-step on the starting
    responsibilities (:func:`init_under_policy`)."""

    def init_params(self, X, resp, rng):
        """The M-step from ``resp``; under ``on_collapse="keep"`` a collapsed component
        starts from all the rows.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Starting responsibilities times sample weights.
        rng : numpy.random.Generator
            For starts that are drawn.

        Returns
        -------
        Tree
            The starting parameters.
        """
        return init_under_policy(self, X, resp)
