"""``Stacked``: K components of different families side by side, for heterogeneous mixtures."""
from __future__ import annotations

import numpy as np

from ..engine.contracts import Component
from ..engine.tree import Tree
from ._composite import Composite, named_parts

__all__ = ["Stacked", "as_component"]


class Stacked(Composite):
    """One single-component family per mixture component: component k is ``parts[k]``.

    Parameters
    ----------
    parts : list of Component or dict of str to Component
        One family per mixture component, in component order (a list names them ``c0``,
        ``c1``, ...; a dict uses its keys, e.g. ``{"signal": Gaussian(), "background":
        Uniform()}``).

    Notes
    -----
    Every part holds parameters for one component (K = 1 leading its arrays), under its own
    name: ``Tree(c0=<Gaussian parameters>, c1=<Uniform parameters>)``. Log densities are the
    parts' single columns side by side, and part k's statistics are taken with column k of
    the weights, so a :class:`~emkit.models.Mixture` over a Stacked component is a mixture of
    different families with no change to the mixture itself.
    """

    family = "Stacked"

    def __init__(self, parts):
        self.parts = named_parts(parts, "Stacked")
        self.n_components = len(self.parts)

    def __repr__(self):
        return "Stacked(" + ", ".join(f"{n}={p!r}" for n, p in self.parts.items()) + ")"

    def explain(self, name, message):
        k = list(self.parts).index(name)
        return f"mixture component {k} ({name!r}, {self.parts[name].family}): {message}"

    def _columns(self, weights):
        """``(name, part, weights of its component, shape (n_samples, 1))`` for every part."""
        for k, (name, part) in enumerate(self.parts.items()):
            yield name, part, np.ascontiguousarray(weights[:, k:k + 1])

    def log_prob(self, params, X):
        return np.hstack([part.log_prob(params[name], X) for name, part in self.parts.items()])

    def expected_stats(self, params, X, weights):
        return Tree({name: part.expected_stats(None if params is None else params[name], X, w)
                     for name, part, w in self._columns(weights)})

    def init_params(self, X, resp, rng):
        return Tree({name: part.init_params(X, w, rng)
                     for name, part, w in self._columns(resp)})

    def validate(self, X):
        self.validate_parts(lambda name: X)

    def validate_fit(self, X):
        self.validate_parts(lambda name: X, fit=True)

    def sample(self, params, labels, rng):
        labels = np.asarray(labels)
        draws = [part.sample(params[name], np.zeros(int(np.sum(labels == k)), dtype=int), rng)
                 for k, (name, part) in enumerate(self.parts.items())]
        out = np.empty((labels.size, draws[0].shape[1]))
        for k, draw in enumerate(draws):
            out[labels == k] = draw
        return out


def as_component(component, n_components: int) -> Component:
    """The component of a K-component mixture: a Component, or a list/dict stacked.

    Parameters
    ----------
    component : Component, or list or dict of Component
        One family for all K components, or one family per component.
    n_components : int

    Raises
    ------
    ValueError
        If a list or dict does not hold exactly ``n_components`` entries.
    """
    if isinstance(component, Component):
        return component
    if isinstance(component, (list, tuple, dict)):
        if len(component) != n_components:
            raise ValueError(
                f"component: a {type(component).__name__} of {len(component)} components was "
                f"given but n_components={n_components}; pass one component per mixture "
                "component, or a single component to use one family for all of them."
            )
        return Stacked(component)
    raise TypeError(f"component must be an emkit Component, or a list of them (one per mixture "
                    f"component); got {component!r}.")
