"""Sphinx configuration of the skadvaug documentation (``make docs``).

The pages are Markdown (MyST), the API reference is generated from the numpydoc
docstrings (autosummary), and the gallery runs ``examples/*.py`` during the build
(sphinx-gallery), so every plot is regenerated, never committed.

The benchmark pages link to the committed results under ``benchmarks/results/``,
outside this folder: the build copies that folder into ``benchmark_results/``
(ignored by git) and rewrites the links, so the same Markdown reads correctly on
GitHub and on the site.
"""

import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, whatever is installed

import torch  # noqa: E402

import skadvaug  # noqa: E402

# The gallery's small networks run several times faster on one intra-op thread than on
# two competing ones (2-core machines, README "Conventions").
torch.set_num_threads(1)

project = "skadvaug"
author = "the skadvaug developers"
copyright = "2026, the skadvaug developers"
version = release = skadvaug.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
templates_path = ["_templates"]

myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set = set()

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

# numpydoc renames each docstring's reference labels; our ``cites`` decorator lists a
# method's papers under References without citing them inline.
suppress_warnings = ["ref.citation"]

html_theme = "pydata_sphinx_theme"
html_title = f"skadvaug {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list = []

RESULTS = ROOT / "benchmarks" / "results"
RESULTS_COPY = "benchmark_results"
_RESULT_LINK = re.compile(r"\]\((?:\.\./)+benchmarks/results/")


def _copy_benchmark_results(app):
    target = DOCS / RESULTS_COPY
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(RESULTS, target)


def _rewrite_result_links(app, docname, source):
    """Links into ``benchmarks/results/`` point at the copy; the copied reports are
    reached by link, not by the table of contents."""
    depth = docname.count("/")
    prefix = "../" * depth + RESULTS_COPY + "/"
    if docname.startswith(RESULTS_COPY + "/"):
        source[0] = "---\norphan: true\n---\n" + source[0]
    source[0] = _RESULT_LINK.sub("](" + prefix, source[0])


_METADATA_REQUEST = re.compile(r"^set_\w+_request$")


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """scikit-learn's generated ``set_*_request`` methods, documented by scikit-learn."""
    return True if _METADATA_REQUEST.match(name) else None


def setup(app):
    app.connect("builder-inited", _copy_benchmark_results)
    app.connect("autodoc-skip-member", _skip_metadata_requests)
    app.connect("source-read", _rewrite_result_links)
