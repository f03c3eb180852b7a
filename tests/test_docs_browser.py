"""Swagger UI in a real headless Chromium: the operations render and "Try it out" works."""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine

from app.main import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a sandboxed, offline machine: no background calls home, no GPU.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_url(engine: Engine, backend: str) -> Iterator[str]:
    if backend != "sqlite":
        pytest.skip("the browser test runs once, on the embedded database")
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have Debian's chromium installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the API did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_swagger_ui_renders_and_try_it_out_answers(live_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
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
        finally:
            browser.close()


def test_redoc_renders_with_no_request_leaving_the_host(live_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
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
        finally:
            browser.close()
