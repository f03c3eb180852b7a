"""A real headless Chromium for the browser tests: Debian's chromium with offline flags, and
the app served by uvicorn on a free port. Used by the docs and reading-view tests."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

from app.main import create_app
from tests.helpers import in_thread

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


def require_chromium(backend: str) -> str:
    """Chromium's path; skips off SQLite (the browser tests run once) or where it is missing
    (except in CI, which must have it)."""
    if backend != "sqlite":
        pytest.skip("the browser test runs once, on the embedded database")
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have Debian's chromium installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@contextmanager
def serving(engine: Engine) -> Iterator[str]:
    """The app on `engine`, served by uvicorn in a thread; yields its base URL."""
    with in_thread(create_app(engine)) as base:
        yield base


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a playwright Browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    assert CHROMIUM is not None
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
