"""The README is the front page and the rest is the site in docs/ (built by `make docs`)."""

import re
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
