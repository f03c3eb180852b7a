"""Swagger UI in a real headless Chromium: authorize with an API key and post a bundle."""

import json
from collections.abc import Callable

from sqlalchemy import Engine

from app.core.http.auth import Scope
from app.keys.service import create_key
from tests.browser import chromium, require_chromium, serving
from tests.test_ingest import REPORT_ID, _seed_bundle


def test_swagger_ui_authorizes_and_posts_a_bundle(
    make_database: Callable[..., Engine], backend: str
) -> None:
    require_chromium(backend)
    engine = make_database(seed=False)
    _, key = create_key(engine, name="browser", scope=Scope.write)
    body = json.dumps(_seed_bundle(), ensure_ascii=False)
    with serving(engine) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{url}/docs")
        page.locator("button.btn.authorize").first.click()
        bearer = page.locator(".auth-container").filter(has_text="bearer")
        bearer.locator("input").first.fill(key)
        bearer.locator("button.authorize").click()
        page.locator("button.btn-done").first.click()

        operation = page.locator("#operations-reports-post_report")
        operation.wait_for(timeout=30_000)
        operation.locator(".opblock-summary").click()
        operation.locator("button.try-out__btn").click()
        operation.locator(".body-param-content-type select").select_option("application/json")
        operation.locator("textarea.body-param__text").fill(body)
        operation.locator("button.execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status")
        status.first.wait_for(timeout=60_000)
        answer = operation.locator(".live-responses-table .response-col_description pre")
        assert status.first.inner_text().strip() == "201", answer.first.inner_text()
        assert REPORT_ID in answer.first.inner_text()
        page.goto(f"{url}/v1/reports/{REPORT_ID}")
        assert "Panjshir" in page.content()
