"""The reading view in a real headless Chromium: from the index to a report, a click on a
claim's highlight reaches that claim's JSON, and nothing is fetched from elsewhere. A
full-page screenshot is kept as a test artefact."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.browser import chromium, require_chromium, serving
from tests.conftest import REPORT_ID, ROOT

# Where the screenshot goes (gitignored); READING_SCREENSHOT overrides it.
SCREENSHOT = Path(
    os.environ.get("READING_SCREENSHOT", str(ROOT / "test-artifacts" / "reading-view.png"))
)
# A claim that another claim contradicts: its highlight carries the ⚠ label.
CLICKED = "taliban-panjshir-surrounded"


@pytest.fixture
def live_url(engine: Engine, backend: str) -> Iterator[str]:
    require_chromium(backend)
    with serving(engine) as url:
        yield url


def test_a_claim_highlight_leads_to_the_claim_it_names(live_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        outside: list[str] = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_url) else outside.append(request.url)
            ),
        )
        page.goto(f"{live_url}/")
        link = page.locator(f"a.report-link[href='/reports/{REPORT_ID}']")
        assert link.inner_text() == "Afghanistan's last bastion against the Taliban"
        link.click()
        page.wait_for_url(f"{live_url}/reports/{REPORT_ID}")
        page.wait_for_load_state("networkidle")

        # The stylesheet applied: the highlights are painted and the labels have their text.
        highlight = page.locator(f"mark.hl-claim[data-id='{CLICKED}']").first
        assert "contradicted" in (highlight.get_attribute("class") or "")
        colour = highlight.evaluate("element => getComputedStyle(element).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        ref = page.locator(f"mark.hl-claim[data-id='{CLICKED}'] > a.ref-claim")
        label = ref.evaluate("a => getComputedStyle(a, '::after').content")
        assert label.startswith('"\u26a0 C'), label
        assert ref.bounding_box() is not None
        named_id = highlight.get_attribute("data-claimant-id")
        named = highlight.get_attribute("data-claimant")
        assert (named_id, named) == ("taliban", "Taliban")
        assert "claim by Taliban" in (ref.get_attribute("aria-label") or "")

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        print(f"reading view screenshot: {SCREENSHOT}")  # noqa: T201
        assert SCREENSHOT.stat().st_size > 50_000
        assert outside == [], f"the reading view fetched from elsewhere: {outside}"

        ref.click()
        page.wait_for_url(f"{live_url}/v1/claims/{CLICKED}")
        claim = json.loads(page.locator("body").inner_text())
        assert claim["id"] == CLICKED
        assert claim["claimant"] == {"id": named_id, "name": named, "kind": "armed_group"}
        assert claim["contradicts"]
