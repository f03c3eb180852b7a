"""Sphinx configuration of the conflict-reports documentation (`make docs`)."""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "conflict-reports"
author = "the conflict-reports developers"
copyright = "the conflict-reports developers"

extensions = ["myst_parser", "bench_results"]

# The pages are Markdown (MyST); `[text](page.md#a-heading)` links reach headings up to ###.
source_suffix = {".md": "markdown"}
myst_heading_anchors = 3

exclude_patterns = ["_build", "_ext"]
root_doc = "index"

# The benchmark tables of performance.md are generated from these files at build time.
bench_results_dir = str(DOCS.parent / "bench" / "results")

# furo ships its stylesheets, scripts and fonts with the package: nothing is fetched from
# elsewhere (no CDN, no web fonts); `make docs` builds offline.
html_theme = "furo"
html_title = "conflict-reports"
html_static_path: list[str] = []
html_theme_options: dict[str, object] = {}
html_show_sourcelink = False
html_copy_source = False
