"""Requests that set only bindable filters run statements cached per request shape; they must
answer byte for byte what the statement-per-request path answers, page after page."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.query import listing

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("/v1/media", {"kind": ["photo", "video"], "sort": "-posted_on"}),
    ("/v1/media", {"posted_by": "northern-alliance", "platform": "Twitter"}),
    ("/v1/events", {"event_type": "Battles", "sort": "-fatalities,date"}),
    ("/v1/events", {"report_id": "panjshir-last-bastion-2021-08-24", "count": "exact"}),
]
CLAIMS: list[dict[str, Any]] = [
    {},
    {"claimant_id": "taliban"},
    {"claimant_id": ["taliban", "ahmad-massoud"], "sort": "-stated_on"},
    {"kind": "territorial_control", "count": "exact"},
    {"status": ["disputed", "corroborated"], "count": "none"},
    {"contested": "true"},
    {"contested": "false", "sort": "claimant,-id"},
    {"has_quantity": "true", "sort": "kind,status"},
    {"has_quantity": "false", "report_id": "panjshir-last-bastion-2021-08-24"},
    {"channel": "tweet", "sort": "-kind,-id"},
    {"sort": "stated_on"},
    {"sort": "-channel"},
]
REQUESTS += [("/v1/claims", params) for params in CLAIMS]


def _walk(client: TestClient, path: str, params: dict[str, Any]) -> list[bytes]:
    bodies: list[bytes] = []
    cursor = None
    for _ in range(40):
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        bodies.append(response.content)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return bodies
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize(("path", "params"), REQUESTS, ids=[f"{p}?{q}" for p, q in REQUESTS])
def test_cached_statements_answer_what_fresh_ones_do(
    client: TestClient, path: str, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    listing._TEMPLATES.clear()
    cached = _walk(client, path, params)
    assert listing._TEMPLATES, "the request should have taken the cached-statement path"
    monkeypatch.setattr(listing, "TEMPLATES_ENABLED", False)
    listing._TEMPLATES.clear()
    fresh = _walk(client, path, params)
    assert not listing._TEMPLATES
    assert cached == fresh
    assert len(cached) >= 1


def test_other_filters_take_the_statement_per_request_path(client: TestClient) -> None:
    listing._TEMPLATES.clear()
    page = client.get("/v1/claims", params={"q": "Taliban", "claimant_id": "taliban"}).json()
    dated = client.get("/v1/claims", params={"stated_from": "2021-08-20"}).json()
    assert not listing._TEMPLATES
    assert {item["claimant"]["id"] for item in page["items"]} == {"taliban"}
    assert dated["total"] > 0
