"""The README is the front page and the rest is the site in docs/ (built by `make docs`)."""

import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import ROOT

DOCS = ROOT / "docs"
README = ROOT / "README.md"


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def test_the_readme_is_a_front_page() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move the detail to docs/"


def test_every_page_is_in_a_toctree() -> None:
    listed: set[str] = set()
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"^```\{toctree\}\n(.*?)^```", text, re.M | re.S):
            listed |= {
                line.strip() for line in block.splitlines() if line.strip() and line[0] != ":"
            }
    assert {page.stem for page in _pages()} - {"index"} <= listed


def test_the_readme_links_to_pages_that_exist() -> None:
    readme = README.read_text(encoding="utf-8")
    linked = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert linked
    assert [name for name in linked if not (ROOT / name).is_file()] == []
    assert {f"docs/{page.name}" for page in _pages()} - {"docs/index.md"} <= set(linked)


def test_the_readme_tour_answers_on_the_seed(client: TestClient) -> None:
    readme = README.read_text(encoding="utf-8")
    paths = re.findall(r"curl [^\n]*'http://127\.0\.0\.1:8000(/[^']*)'", readme)
    assert len(paths) >= 5
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content, path


def test_the_performance_tables_are_generated() -> None:
    """Every table of benchmark figures comes from bench/results/*.json (the bench-results
    directive of docs/_ext); a figure measured apart from a run is prose, with its date."""
    page = (DOCS / "performance.md").read_text(encoding="utf-8")
    assert re.findall(r"^\s*\|", page, re.M) == []
    assert "{bench-results} loads" in page


def test_the_code_the_pages_name_exists() -> None:
    """A file or folder of app/ named by a page exists."""
    named = [
        (page.name, name)
        for page in _pages()
        for name in re.findall(r"`(app/[\w/.]+)`", page.read_text(encoding="utf-8"))
    ]
    assert ("architecture.md", "app/core/db/dialect.py") in named
    assert [f"{page}: {name}" for page, name in named if not (ROOT / name).exists()] == []


def test_the_site_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    """The built pages' scripts, style sheets, fonts and images are the site's own files (no
    CDN): built here offline, as `make docs` builds it."""
    sphinx = Path(sys.executable).parent / "sphinx-build"
    out = tmp_path / "html"
    subprocess.run(
        [str(sphinx), "-E", "-W", "-q", "-b", "html", str(DOCS), str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pages = sorted(out.glob("*.html"))
    assert {page.stem for page in pages} >= {"index", "architecture", "performance"}
    loaded = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["']([^"']+)""", re.I)
    urls = [
        (page.name, url)
        for page in pages
        for url in loaded.findall(page.read_text(encoding="utf-8"))
    ]
    files = {url.split("?")[0].rsplit(".", 1)[-1] for _, url in urls}
    assert {"css", "js"} <= files
    assert [f"{page}: {url}" for page, url in urls if re.match(r"(?:https?:)?//", url)] == []
    styles = "".join(css.read_text(encoding="utf-8") for css in out.rglob("*.css"))
    assert not re.search(r"@import\s+url\(\s*['\"]?(?:https?:)?//", styles)
