"""Sphinx configuration of the API reference site: the Markdown pages of docs/ (myst-parser)
and a page per public module, built from the docstrings (autodoc + napoleon, NumPy style).

Build it with ``make docs`` or ``python -m sphinx -W --keep-going docs docs/_build/html``.

Why Sphinx rather than MkDocs + mkdocstrings: the docstrings are NumPy style (numpydoc
sections, doctested examples), which napoleon renders as the scientific Python projects'
references do (NumPy, SciPy, JAX); autodoc imports the objects, so the signatures are the
run-time ones; sphinx-argparse renders the command line from its parser; myst-parser keeps
the pages Markdown, as GitHub shows them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Keras on the torch backend, for the adapter's page (Keras's default, TensorFlow, is not a
# dependency); read once, at Keras's first import.
os.environ.setdefault("KERAS_BACKEND", "torch")
try:  # the installed package (with its compiled core), as users import it
    import winit_fast
except ImportError:  # else this checkout's sources
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import winit_fast

project = "winit_fast"
release = version = winit_fast.__version__
copyright = "winit_fast developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinxarg.ext",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

# The docstrings are NumPy style (and doctested); napoleon reads them.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# The Keras adapter's classes derive from Keras's: their own docstrings only, not Keras's.
autodoc_inherit_docstrings = False

# Markdown: anchors for headings (the pages link to #sections), and links to files outside
# docs/ (../src/...) stay plain links.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

html_theme = "alabaster"
html_title = f"winit_fast {release}"
