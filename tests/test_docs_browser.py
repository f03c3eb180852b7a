"""Swagger UI in a real headless Chromium: the operations render and "Try it out" works."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.browser import chromium, require_chromium, serving


@pytest.fixture
def live_url(engine: Engine, backend: str) -> Iterator[str]:
    require_chromium(backend)
    with serving(engine) as url:
        yield url


def test_swagger_ui_renders_and_try_it_out_answers(live_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        outside: list[str] = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_url) else outside.append(request.url)
            ),
        )
        page.goto(f"{live_url}/docs")
        operation = page.locator("#operations-claims-list_claims")
        operation.wait_for(timeout=30_000)
        rendered = page.locator(".opblock-summary-path").all_inner_texts()
        assert {"/v1/claims", "/v1/actors", "/v1/locations", "/v1/events"} <= {
            path.replace("\u200b", "") for path in rendered
        }

        operation.locator(".opblock-summary").click()
        operation.locator("button.try-out__btn").click()
        operation.locator("button.execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status")
        status.first.wait_for(timeout=30_000)
        assert status.first.inner_text().strip() == "200"
        body = operation.locator(".live-responses-table .response-col_description pre")
        assert "Massoud" in body.first.inner_text()
        assert outside == [], f"the docs page fetched from elsewhere: {outside}"


def test_redoc_renders_with_no_request_leaving_the_host(live_url: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        outside: list[str] = []
        page.on(
            "request",
            # blob: URLs of the page's own origin (ReDoc's search worker) stay local.
            lambda request: (
                None
                if request.url.removeprefix("blob:").startswith(live_url)
                else outside.append(request.url)
            ),
        )
        page.goto(f"{live_url}/redoc")
        heading = page.locator("h2", has_text="List claims")
        heading.first.wait_for(timeout=30_000)
        logo = page.locator("img[alt='redocly logo']")
        logo.first.wait_for(timeout=30_000)
        assert logo.first.get_attribute("src") == "/static/docs/favicon.png"
        page.wait_for_load_state("networkidle")
        assert outside == [], f"ReDoc fetched from elsewhere: {outside}"
