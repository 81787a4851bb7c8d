"""Every public callable of emkit, and what its numpydoc docstring lacks.

Public means reachable from ``emkit.__all__``: the names themselves, the names of the
subpackages' ``__all__`` (``emkit.sources``, ...), and the public methods of every public class
(those emkit defines; scikit-learn's inherited machinery is scikit-learn's to document). A
method is listed once, under the class that defines it. Its docstring is the one ``help()``
shows (``inspect.getdoc``), so a method that implements a documented contract method inherits
that documentation, as in the API reference.
"""
from __future__ import annotations

import ast
import inspect
import textwrap

from numpydoc.docscrape import NumpyDocString


def _owner(cls, name):
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass
    return None


def _members(path, cls):
    """``{(module, qualname): (public path, function)}`` for the public methods of a class."""
    found = {}
    for name in dir(cls):
        owner = _owner(cls, name)
        if name.startswith("_") or owner is None or not owner.__module__.startswith("emkit"):
            continue
        member = inspect.getattr_static(owner, name)
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if inspect.isfunction(member):
            found[(owner.__module__, f"{owner.__qualname__}.{name}")] = (f"{path}.{name}",
                                                                         getattr(cls, name))
    return found


def public_callables(package) -> dict:
    """``{public path: object}`` for the classes, functions and methods of a package."""
    found = {}

    def walk(prefix, module):
        for name in module.__all__:
            obj = getattr(module, name)
            path = f"{prefix}.{name}"
            if inspect.ismodule(obj):
                walk(path, obj)
            elif inspect.isclass(obj):
                found.setdefault((obj.__module__, obj.__qualname__), (path, obj))
                for key, value in _members(path, obj).items():
                    found.setdefault(key, value)
            elif callable(obj):
                found.setdefault((getattr(obj, "__module__", ""), name), (path, obj))

    walk(package.__name__, package)
    return dict(sorted(found.values(), key=lambda item: item[0]))


def _arguments(obj) -> list:
    """The parameters a caller passes (``self`` and ``cls`` left out; ``*args`` kept)."""
    target = obj
    if inspect.isclass(obj):
        target = obj.__init__
        if not (getattr(target, "__module__", None) or "").startswith("emkit"):
            return []        # object's, or an exception's: nothing emkit's to document
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    names = [p.name for p in signature.parameters.values()]
    if inspect.isclass(obj) or "." in obj.__qualname__:
        names = [n for n in names if n not in ("self", "cls")]
    return names


def _own_nodes(function):
    """The nodes of a function's body, not those of functions or classes defined in it."""
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                 ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))


def _returns_a_value(obj) -> bool:
    """Whether the function's source returns (or yields) something other than None."""
    if inspect.isclass(obj):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(obj))))
    except (OSError, TypeError, SyntaxError):
        return False
    function = tree.body[0]
    for node in _own_nodes(function):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
    abstract = getattr(obj, "__isabstractmethod__", False)
    return bool(abstract and function.returns is not None and
                ast.unparse(function.returns) not in ("None",))


def gaps(obj, *, needs_examples=False) -> list:
    """What the docstring of ``obj`` lacks: "docstring", "Parameters", "Returns", "Examples"."""
    doc = inspect.getdoc(obj)
    if not doc:
        return ["docstring"]
    sections = NumpyDocString(doc)
    missing = []
    if _arguments(obj) and not sections["Parameters"]:
        missing.append("Parameters")
    if _returns_a_value(obj) and not (sections["Returns"] or sections["Yields"]):
        missing.append("Returns")
    if needs_examples and not sections["Examples"]:
        missing.append("Examples")
    return missing


def is_estimator(obj) -> bool:
    """A scikit-learn style estimator class (``fit`` and ``get_params``)."""
    return inspect.isclass(obj) and hasattr(obj, "fit") and hasattr(obj, "get_params")


def audit(package) -> dict:
    """``{public path: [what is missing]}`` for every public callable that lacks something."""
    report = {}
    for path, obj in public_callables(package).items():
        missing = gaps(obj, needs_examples=is_estimator(obj))
        if missing:
            report[path] = missing
    return report
