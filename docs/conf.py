"""Sphinx configuration for the ecgkit documentation."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

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
    "sphinx_gallery.gen_gallery",
]


def _example_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """Run every example in quick mode, writing its files into a folder of its own."""
    script = Path(script_vars["src_file"])
    out = Path(tempfile.mkdtemp(prefix=f"ecgkit-gallery-{script.stem}-"))
    _EXAMPLE_OUT[str(script)] = out
    takes_out = '"--out"' in script.read_text()
    return ["--quick", "--out", str(out)] if takes_out else ["--quick"]


_EXAMPLE_OUT: dict[str, Path] = {}


class SavedFigures:
    """A sphinx-gallery image scraper for the PNG files an example saves.

    The examples draw with :mod:`ecgkit.plot`, which returns matplotlib ``Figure`` objects
    that pyplot does not track, and save them as files, as a user would; this collects
    the files written under the example's ``--out`` folder.
    """

    def __call__(self, block: Any, block_vars: dict[str, Any], gallery_conf: Any) -> str:
        from sphinx_gallery.scrapers import figure_rst

        out = _EXAMPLE_OUT.get(str(block_vars["src_file"]))
        if out is None:
            return ""
        images = []
        for png, target in zip(
            sorted(out.rglob("*.png")), block_vars["image_path_iterator"], strict=False
        ):
            shutil.copyfile(png, target)
            images.append(target)
        return figure_rst(images, gallery_conf["src_dir"])

    def __repr__(self) -> str:  # a stable value for Sphinx's environment pickle
        return "SavedFigures"


sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/0\d_",
    "reset_argv": _example_argv,
    "image_scrapers": (SavedFigures(),),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
}

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
# config.cache: the gallery's configuration holds callables, which Sphinx cannot pickle;
# every build re-runs the examples anyway (about 40 s in quick mode on 2 cores)
suppress_warnings = ["ref.python", "config.cache"]
