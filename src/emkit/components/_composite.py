"""What the two composite components share: named parts, each with its own parameter subtree.

:class:`~emkit.components.Independent` gives each part its own columns; :class:`~emkit.
components.Stacked` gives each part its own mixture component. Either way the parameters,
statistics and constraints are Trees keyed by part name, and the M-step, the bound, the prior
and the parameter count are the parts' own, routed by name.
"""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping

from ..engine.contracts import Component
from ..engine.fixed import sub_paths
from ..engine.tree import Tree
from ..exceptions import DataError

__all__ = ["Composite", "named_parts"]


def named_parts(parts, owner: str) -> dict:
    """Return ``{name: Component}`` from a list (named c0, c1, ...) or a mapping.

    Parameters
    ----------
    parts : list of Component or dict of str to Component
    owner : str
        The composite's name, for messages.
    """
    if isinstance(parts, Mapping):
        items = list(parts.items())
    elif isinstance(parts, (list, tuple)):
        items = [(f"c{index}", part) for index, part in enumerate(parts)]
    else:
        raise TypeError(f"{owner} takes a list of components or a dict of names to components; "
                        f"got {type(parts).__name__}.")
    if not items:
        raise ValueError(f"{owner} needs at least one component; got an empty "
                         f"{type(parts).__name__}.")
    for name, part in items:
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"{owner}: part names must be non-empty strings without dots (they "
                             f"become parameter paths); got {name!r}.")
        if not isinstance(part, Component):
            raise TypeError(f"{owner}: part {name!r} must be an emkit Component; got {part!r}.")
    return dict(items)


class Composite(Component):
    """Abstract: a component made of named parts with parameter subtrees of the same names."""

    parts: dict

    @abstractmethod
    def explain(self, name: str, message: str) -> str:
        """A part's error message, said of the whole: which part, which columns, which family.

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

    def constraints(self):
        return {name: part.constraints() for name, part in self.parts.items()}

    def m_step(self, stats, params, fixed=frozenset()):
        return Tree({
            name: part.m_step(stats[name], None if params is None else params[name],
                              fixed=sub_paths(fixed, name))
            for name, part in self.parts.items()
        })

    def expected_log_prob(self, stats, params):
        return float(sum(part.expected_log_prob(stats[name], params[name])
                         for name, part in self.parts.items()))

    def log_prior(self, params):
        return float(sum(part.log_prior(params[name]) for name, part in self.parts.items()))

    def n_parameters(self, params):
        return int(sum(part.n_parameters(params[name]) for name, part in self.parts.items()))

    def regularisation(self):
        notes = [note for part in self.parts.values() if (note := part.regularisation())]
        return ", ".join(dict.fromkeys(notes)) or None

    def validate_parts(self, data_of, fit=False):
        """Run every part's ``validate`` (``validate_fit`` if ``fit``) on its data.

        Errors name the part (a DataError keeps its row).

        Parameters
        ----------
        data_of : callable
            ``data_of(name)`` gives the rows of part ``name``.
        fit : bool, default=False
            Run ``validate_fit`` rather than ``validate``.
        """
        for name, part in self.parts.items():
            try:
                (part.validate_fit if fit else part.validate)(data_of(name))
            except DataError as error:
                raise DataError(self.explain(name, error.template), error.row) from None
            except ValueError as error:
                raise ValueError(self.explain(name, str(error))) from None
