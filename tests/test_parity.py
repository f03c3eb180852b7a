"""One API, two engines: the seeded API answers every request of the parity list with the same
status, content type and body bytes on SQLite and on PostgreSQL (cursor walks included)."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import DatabaseFactory
from tests.parity_requests import PARITY_REQUESTS

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="the parity test compares SQLite with PostgreSQL (set TEST_DATABASE_URL)",
)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    factories: list[DatabaseFactory] = []
    opened: dict[str, TestClient] = {}
    try:
        for backend in ("sqlite", "postgresql"):
            factory = DatabaseFactory(backend, Path(tmp_path_factory.mktemp(f"parity-{backend}")))
            factories.append(factory)
            opened[backend] = TestClient(create_app(factory.create())).__enter__()
        yield opened
    finally:
        for test_client in opened.values():
            test_client.__exit__(None, None, None)
        for factory in factories:
            factory.drop_all()


# Answers that name the engine on purpose: compared for status only.
ENGINE_SPECIFIC = {"/healthz"}


# A page of OGC features ends with when it was generated (its weak ETag leaves that out).
_GENERATED = re.compile(rb',"timeStamp":"[0-9T:-]+Z"}$')


def _answers(clients: dict[str, TestClient], path: str) -> tuple[bytes, bytes]:
    lite = clients["sqlite"].get(path)
    pg = clients["postgresql"].get(path)
    assert lite.status_code == pg.status_code, path
    assert lite.headers["content-type"] == pg.headers["content-type"], path
    assert lite.status_code < 500, (path, lite.text)
    return _GENERATED.sub(b"}", lite.content), _GENERATED.sub(b"}", pg.content)


def _first_difference(path: str, lite: bytes, pg: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(lite, pg, strict=False)) if a != b),
        min(len(lite), len(pg)),
    )
    window = slice(max(0, at - 60), at + 60)
    return f"{path}\n  sqlite:     {lite[window]!r}\n  postgresql: {pg[window]!r}"


def test_the_parity_list_is_broad() -> None:
    assert len(PARITY_REQUESTS) >= 80
    assert len(set(PARITY_REQUESTS)) == len(PARITY_REQUESTS)


def test_every_request_gets_the_same_bytes_from_both_engines(
    clients: dict[str, TestClient],
) -> None:
    differing = []
    for path in PARITY_REQUESTS:
        lite, pg = _answers(clients, path)
        if lite != pg and path not in ENGINE_SPECIFIC:
            differing.append(_first_difference(path, lite, pg))
    assert differing == [], f"{len(differing)} of {len(PARITY_REQUESTS)} differ:\n" + "\n".join(
        differing[:8]
    )


def test_every_answer_has_the_same_etag_on_both_engines(
    clients: dict[str, TestClient],
) -> None:
    """The same bytes make the same strong ETag (app.core.http.caching): a cache in front of
    either engine validates what the other served, in both encodings."""
    differing = []
    tagged = 0
    for path in PARITY_REQUESTS:
        for encoding in ("identity", "gzip"):
            headers = {"Accept-Encoding": encoding}
            lite = clients["sqlite"].get(path, headers=headers)
            pg = clients["postgresql"].get(path, headers=headers)
            if lite.status_code != 200:
                assert "etag" not in lite.headers, path
                assert "etag" not in pg.headers, path
                continue
            if path in ENGINE_SPECIFIC:
                continue
            tagged += 1
            if lite.headers["etag"] != pg.headers["etag"]:
                differing.append(f"{path} ({encoding})")
            revalidated = pg.headers["etag"]
            assert (
                clients["sqlite"].get(path, headers={**headers, "If-None-Match": revalidated})
            ).status_code == 304, path
    assert tagged >= 2 * 80
    assert differing == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims?limit=4&sort=-stated_on",
        "/v1/claims?limit=5&sort=claimant,-kind",
        "/v1/actors?limit=6&sort=-name",
        "/v1/locations?limit=5&sort=-latitude",
        "/v1/media?limit=4&sort=posted_on",
        "/v1/events?limit=2&sort=-fatalities",
        "/v1/claims?q=taliban&limit=2",
        "/v1/search?q=massoud&limit=4",
        "/v1/claims?q=NOT%20taliban&limit=5",
        "/v1/claims?limit=7&sort=-updated_at",
        "/v1/actors?limit=9&sort=updated_at&updated_since=2021-09-01T00:00:00Z",
    ],
)
def test_cursor_walks_are_the_same_on_both_engines(
    clients: dict[str, TestClient], path: str
) -> None:
    pages = 0
    while True:
        lite, pg = _answers(clients, path)
        assert lite == pg, path
        pages += 1
        cursor = clients["sqlite"].get(path).json()["next_cursor"]
        if cursor is None:
            break
        base = path.split("&cursor=")[0]
        path = f"{base}&cursor={cursor}"
    assert pages >= 2


# The reading view (HTML, outside the API document, so not in the parity list that the
# contract test validates against OpenAPI): compared here.
READING_VIEW = ["/", "/reports/panjshir-last-bastion-2021-08-24", "/reports/no-such-report"]


@pytest.mark.parametrize("path", READING_VIEW)
def test_the_reading_view_is_the_same_bytes_on_both_engines(
    clients: dict[str, TestClient], path: str
) -> None:
    for accept in ("text/html", "*/*"):
        lite = clients["sqlite"].get(path, headers={"Accept": accept})
        pg = clients["postgresql"].get(path, headers={"Accept": accept})
        assert (lite.status_code, lite.headers["content-type"]) == (
            pg.status_code,
            pg.headers["content-type"],
        ), path
        assert lite.status_code < 500, (path, lite.text)
        assert lite.content == pg.content, _first_difference(path, lite.content, pg.content)
    if path != "/reports/no-such-report":
        assert lite.headers["content-type"] == "text/html; charset=utf-8"
