"""Sphinx configuration for the ecgkit documentation."""

from __future__ import annotations

import ecgkit

project = "ecgkit"
author = "The ecgkit developers"
copyright = "2026, The ecgkit developers"
release = ecgkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

autosummary_generate = True
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

intersphinx_mapping: dict[str, tuple[str, None]] = {}

html_theme = "furo"
html_title = f"ecgkit {release}"
html_static_path = ["_static"]
exclude_patterns = ["_build"]

# NumPy-style type lines ("array_like, shape (n_beats, n_samples)") name array dimensions
# that are also attribute names of several classes; they are prose, not references.
suppress_warnings = ["ref.python"]
