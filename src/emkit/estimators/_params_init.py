"""Starting values given by name (``params_init={"weights": ..., "rates": ...}``)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..engine.fixed import resolve_fixed
from ..engine.tree import Tree
from ..engine.validation import check_params

__all__ = ["override_params"]


def _flatten(given, prefix=""):
    for key, value in given.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _one_path(key, params, argument):
    paths = sorted(resolve_fixed(key, params, argument))
    if len(paths) != 1:
        raise ValueError(
            f"{argument}: {key!r} names {len(paths)} parameters ({', '.join(paths)}); give "
            "one of those dotted paths instead, or a nested dict."
        )
    return paths[0]


def override_params(params: Tree, given, constraints: dict, argument="params_init") -> Tree:
    """Replace leaves of ``params`` by the user's starting arrays, checked.

    Parameters
    ----------
    params : Tree
        Starting parameters from the model's own initialisation; they fix the shapes.
    given : mapping
        Parameter names (as for ``fixed``: ``"weights"``, ``"rates"``, ``"c1.low"``) or
        nested dicts, to arrays with K (``n_components``) leading.
    constraints : dict
        The model's ``constraints()``; every given value must satisfy its constraint.

    Returns
    -------
    Tree
    """
    if not isinstance(given, Mapping):
        raise ValueError(f"{argument} must be a dict of parameter names to arrays (K = "
                         f"n_components leading); got {type(given).__name__}.")
    for key, value in _flatten(given):
        path = _one_path(key, params, argument)
        expected = np.shape(params.get_path(path))
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{argument}[{key!r}] must be a numeric array; got {value!r}.") \
                from None
        if array.shape != expected:
            raise ValueError(
                f"{argument}[{key!r}] must have shape {expected} ({path}; K = n_components "
                f"leads every per-component array); got shape {array.shape}."
            )
        params = params.replace_path(path, array)
    check_params(constraints, params, name=argument)
    return params
