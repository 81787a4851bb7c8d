"""Fixed parameters: names resolved to dotted paths, and held after every M-step."""
from __future__ import annotations

from .tree import Tree

__all__ = ["overlay_fixed", "resolve_fixed", "sub_paths"]


def resolve_fixed(names, params: Tree, argument: str = "fixed") -> frozenset:
    """Resolve parameter names to the dotted paths of ``params`` they denote.

    A name matches a path equal to it or ending in ``"." + name``, so ``"weights"`` and
    ``"components.means"`` both work; a subtree name (``"components"``) fixes all its leaves.

    Parameters
    ----------
    names : str or iterable of str
    params : Tree
    argument : str, default="fixed"
        The argument the names came from, for messages.

    Returns
    -------
    frozenset of str

    Raises
    ------
    ValueError
        If a name matches no parameter; the message lists the valid names.
    """
    if isinstance(names, str):
        names = {names}
    paths = list(params.paths())
    resolved = set()
    for name in names:
        hits = [p for p in paths
                if p == name or p.endswith("." + name) or p.startswith(name + ".")
                or f".{name}." in f".{p}"]
        if not hits:
            raise ValueError(
                f"{argument}: unknown parameter name {name!r}; valid names are {paths}. "
                "Pass names from that list (or their last part, such as 'means')."
            )
        resolved.update(hits)
    return frozenset(resolved)


def overlay_fixed(new: Tree, old: Tree, fixed) -> Tree:
    """Return ``new`` with every fixed path set back to its value in ``old``."""
    for path in fixed:
        new = new.replace_path(path, old.get_path(path))
    return new


def sub_paths(fixed, prefix: str) -> frozenset:
    """The fixed paths under ``prefix``, with the prefix removed (for a sub-model's m_step)."""
    start = prefix + "."
    return frozenset(p[len(start):] for p in fixed if p.startswith(start))
