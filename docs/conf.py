"""Sphinx configuration of emkit's documentation (``make docs`` builds it, warnings as errors).

Three things are made when the build starts, so that nothing in the site is copied by hand:
the API reference lists ``emkit.__all__`` (``_ext/api_pages.py``), the theory page's numbers
come from a fit run now (``_ext/theory_numbers.py``), and the gallery's examples run
(sphinx-gallery).
"""
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent / "src"))

import emkit  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")

project = "emkit"
author = "the emkit developers"
copyright = "the emkit developers"
release = version = emkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",   # MathJax served from the site itself: no CDN, works offline
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "api_pages",
    "theory_numbers",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated/*.md", "design.md", "examples/GALLERY_HEADER.rst",
                    "**.ipynb_checkpoints"]
templates_path = ["_templates"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# API pages: one per public name, members documented on the class page.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True,
                           "show-inheritance": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# No network during the build: intersphinx reads nothing unless the inventories are cached.
intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"emkit {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path = []
# The theme reads the colour mode from this; left empty, its script logs a console error.
html_context = {"default_mode": "light"}
html_show_sourcelink = False

# scikit-learn's metadata-routing and set_output methods, which estimators inherit, and the
# DataFrame methods a table class inherits from pandas document those libraries' machinery
# (with references into their own sites), not emkit's.
_SKLEARN_ROUTING = re.compile(r"^(get_metadata_routing|set_\w+_request|set_output)$")


def _defined_in_pandas(obj):
    target = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    return (getattr(target, "__module__", None) or "").split(".")[0] == "pandas"


def _skip_sklearn_routing(app, what, name, obj, skip, options):
    return True if _SKLEARN_ROUTING.match(name) or _defined_in_pandas(obj) else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_routing)
