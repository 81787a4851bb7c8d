"""Estimator ``__init__`` methods generated from a signature, the way scikit-learn reads them.

scikit-learn's ``get_params`` and ``clone`` read an estimator's hyper-parameters from the
signature of its ``__init__``, which must store every argument unchanged. The family mixtures
(``PoissonMixture``...) and the HMM estimators share most of their hyper-parameters; their
``__init__`` methods are generated here from one list of parameters instead of being written
out again for every class.
"""
from __future__ import annotations

import inspect

__all__ = ["keyword", "positional", "storing_init"]


def positional(name, default):
    """A parameter that may be given by position (hmmlearn's first arguments)."""
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)


def keyword(name, default):
    """A keyword-only parameter."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)


def storing_init(parameters, qualname):
    """An ``__init__`` storing every argument as an attribute of the same name.

    Parameters
    ----------
    parameters : list of inspect.Parameter
        In signature order (positional ones first); ``self`` is added.
    qualname : str
        ``"<Class>.__init__"``, for tracebacks and documentation.

    Raises
    ------
    TypeError
        If two parameters share a name.
    """
    names = [parameter.name for parameter in parameters]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise TypeError(f"{qualname}: parameters {repeated} are declared twice")
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.Signature([self_parameter, *parameters])

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for key, value in list(bound.arguments.items())[1:]:
            setattr(self, key, value)

    __init__.__signature__ = signature
    __init__.__qualname__ = qualname
    return __init__
