"""Write ``api/index.rst``: one autosummary entry per name in ``emkit.__all__``.

Names added to ``emkit.__all__`` later appear in the API reference with no edit to the docs.
The page is written when the configuration is read, before Sphinx looks for sources, and only
when its text changes, so an unchanged build stays incremental.
"""
from __future__ import annotations

import inspect
from pathlib import Path

GROUPS = (
    ("Estimators", "scikit-learn and hmmlearn facades: fit, predict, score, sample, bic, aic.",
     lambda obj: inspect.isclass(obj) and hasattr(obj, "fit") and hasattr(obj, "get_params")),
    ("Warnings and errors", "What a fit reports.",
     lambda obj: inspect.isclass(obj) and issubclass(obj, BaseException)),
    ("Engine, models and components", "The contracts, the latent structures and the families.",
     inspect.isclass),
    ("Functions", "", inspect.isroutine),
    ("Subpackages", "", inspect.ismodule),
)


def _grouped(module):
    """``[(title, blurb, [names])]`` for the public names, in the order of ``GROUPS``."""
    left = sorted(module.__all__, key=str.lower)
    out = []
    for title, blurb, belongs in GROUPS:
        taken = [name for name in left if belongs(getattr(module, name))]
        left = [name for name in left if name not in taken]
        if taken:
            out.append((title, blurb, taken))
    if left:
        out.append(("Other", "", left))
    return out


def api_text(module) -> str:
    """The reStructuredText of the API reference of ``module`` (a package with ``__all__``)."""
    lines = ["API reference", "=============", "",
             f"Every public name of ``{module.__name__}`` (its ``__all__``), with the "
             "docstring it ships.", "", f".. currentmodule:: {module.__name__}", ""]
    for title, blurb, names in _grouped(module):
        lines += [title, "-" * len(title), ""] + ([blurb, ""] if blurb else [])
        if title == "Subpackages":
            lines += [".. toctree::", "   :maxdepth: 1", ""]
            lines += [f"   {module.__name__}.{name}" for name in names] + [""]
            continue
        template = "function.rst" if title == "Functions" else "class.rst"
        lines += [".. autosummary::", "   :toctree: generated", f"   :template: {template}", ""]
        lines += [f"   {name}" for name in names] + [""]
    return "\n".join(lines)


def module_text(name: str) -> str:
    """The page of one subpackage: its docstring, then every name of its ``__all__``."""
    return "\n".join([f"``{name}``", "=" * (len(name) + 4), "", f".. automodule:: {name}",
                      "   :members:", "   :imported-members:", ""])


def _write(target: Path, text: str):
    """Write ``text`` to ``target`` unless it holds it already (keeps builds incremental)."""
    if not target.exists() or target.read_text() != text:
        target.parent.mkdir(exist_ok=True)
        target.write_text(text)


def write_api_page(app, config=None):
    import emkit

    folder = Path(app.srcdir) / "api"
    _write(folder / "index.rst", api_text(emkit))
    for name in emkit.__all__:
        if inspect.ismodule(getattr(emkit, name)):
            _write(folder / f"emkit.{name}.rst", module_text(f"emkit.{name}"))


def setup(app):
    app.connect("config-inited", write_api_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
