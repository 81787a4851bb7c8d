"""Named mixture estimators made from a component family: ``family_mixture(Poisson)``.

A family's own arguments (``n_trials``, ``prior``, ...) become estimator parameters beside the
mixture's, with the signature scikit-learn reads (``get_params``, ``clone``), so
``PoissonMixture(3, prior=Gamma(2, 1))`` is ``MixtureModel(Poisson(prior=Gamma(2, 1)), 3)``
with a name of its own.
"""
from __future__ import annotations

import inspect

from ._signature import storing_init
from .mixture_model import MIXTURE_ATTRIBUTES, MIXTURE_PARAMETERS, ComponentMixture, MixtureModel

__all__ = ["family_mixture"]


def _family_parameters(family):
    parameters = list(inspect.signature(family.__init__).parameters.values())[1:]
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(f"{family.__name__}.__init__ takes *args or **kwargs; a mixture "
                            "estimator needs every hyper-parameter named")
    return [parameter.replace(kind=parameter.KEYWORD_ONLY) for parameter in parameters]


def _mixture_parameters():
    """(n_components, the keyword-only mixture parameters) of MixtureModel."""
    parameters = list(inspect.signature(MixtureModel.__init__).parameters.values())
    by_name = {p.name: p for p in parameters}
    rest = [p for p in parameters if p.kind == p.KEYWORD_ONLY]
    return by_name["n_components"], rest


def _parameters_section(family):
    """The lines of the family docstring's numpydoc "Parameters" section, indented."""
    lines = inspect.cleandoc(family.__doc__ or "").splitlines()
    try:
        start = lines.index("Parameters") + 2
    except ValueError:
        return ""
    end = start
    while end < len(lines) and not (end + 1 < len(lines) and set(lines[end + 1]) == {"-"}):
        end += 1
    return "\n".join(f"    {line}" if line else "" for line in lines[start:end]).rstrip() + "\n"


def _docstring(family, name, examples=""):
    return (
        f"Mixture of {family.__name__} components fitted by EM; scikit-learn compatible.\n\n"
        f"    ``{name}(n_components, **family_arguments, **mixture_arguments)`` is\n"
        f"    ``MixtureModel({family.__name__}(**family_arguments), n_components,\n"
        f"    **mixture_arguments)``; see :class:`emkit.components.{family.__name__}`.\n\n"
        "    Parameters\n    ----------\n"
        "    n_components : int, default=1\n        Number of mixture components K.\n"
        f"{_parameters_section(family)}{MIXTURE_PARAMETERS}\n"
        f"    Attributes\n    ----------\n{MIXTURE_ATTRIBUTES}"
        + (f"\n    Examples\n    --------\n{examples}" if examples else "")
    )


def family_mixture(family, module: str, name: str | None = None, examples: str = ""):
    """Build the estimator class ``<Family>Mixture`` for a component family.

    Parameters
    ----------
    family : type
        A Component class; its ``__init__`` arguments become estimator parameters.
    module : str
        The module the class is published in (``__name__`` of the caller), so that the
        class pickles by reference.
    name : str, optional
        Class name; ``family.__name__ + "Mixture"`` by default.
    examples : str, optional
        The docstring's Examples section (doctest lines, indented by four spaces).

    Returns
    -------
    type
        A final subclass of :class:`~emkit.estimators.mixture_model.ComponentMixture`.
    """
    name = name or f"{family.__name__}Mixture"
    own = _family_parameters(family)
    n_components, mixture = _mixture_parameters()
    clash = {p.name for p in own} & ({p.name for p in mixture} | {"n_components"})
    if clash:
        raise TypeError(f"{family.__name__} arguments {sorted(clash)} clash with the mixture "
                        "estimator's parameters")
    __init__ = storing_init([n_components, *own, *mixture], f"{name}.__init__")
    family_names = [p.name for p in own]

    def _component(self):
        return family(**{key: getattr(self, key) for key in family_names})

    namespace = {"__init__": __init__, "_component": _component, "__module__": module,
                 "__qualname__": name, "__doc__": _docstring(family, name, examples), "family": family}
    return type(name, (ComponentMixture,), namespace)
