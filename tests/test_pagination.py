"""Walking every collection one item at a time gives every item exactly once, in order."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.helpers import captured_statements, get_json, ids

WALKS = [
    ("/v1/reports", {}),
    ("/v1/actors", {}),
    ("/v1/actors", {"sort": "kind,-name"}),
    ("/v1/locations", {}),
    ("/v1/locations", {"sort": "-latitude"}),
    ("/v1/locations", {"near": "34.5553,69.2075,1000"}),
    ("/v1/claims", {}),
    ("/v1/claims", {"sort": "-stated_on,kind"}),
    ("/v1/claims", {"sort": "claimant,-id"}),
    # One direction throughout: a row-value comparison on PostgreSQL.
    ("/v1/claims", {"sort": "kind,status"}),
    ("/v1/claims", {"sort": "-kind,-id"}),
    ("/v1/claims", {"q": "Taliban"}),
    ("/v1/media", {}),
    ("/v1/media", {"sort": "posted_on"}),
    ("/v1/events", {}),
    ("/v1/events", {"sort": "-fatalities,date"}),
    ("/v1/search", {"q": "Massoud"}),
]


@pytest.mark.parametrize(("path", "params"), WALKS, ids=[f"{p}?{q}" for p, q in WALKS])
def test_walk_with_limit_one(client: TestClient, path: str, params: dict[str, str]) -> None:
    everything = ids(client, path, **params)
    assert len(everything) >= 1
    walked: list[str] = []
    cursor: str | None = None
    for _ in range(len(everything) + 1):
        query: dict[str, Any] = {"limit": 1, **params}
        if cursor:
            query["cursor"] = cursor
        page = get_json(client, path, **query)
        assert len(page["items"]) <= 1
        walked.extend(item["id"] for item in page["items"])
        assert page["total"] == len(everything)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == everything, "one item at a time gives the same items in the same order"
    assert len(set(walked)) == len(walked)


def test_the_order_is_stable_across_requests(client: TestClient) -> None:
    first = ids(client, "/v1/claims", sort="kind")
    assert first == ids(client, "/v1/claims", sort="kind")
    kinds = [
        item["kind"] for item in get_json(client, "/v1/claims", sort="kind", limit=500)["items"]
    ]
    assert kinds == sorted(kinds)
    # Within a kind, the id breaks ties.
    rows = get_json(client, "/v1/claims", sort="kind", limit=500)["items"]
    pairs = [(r["kind"], r["id"]) for r in rows]
    assert pairs == sorted(pairs)


def test_count_none_skips_the_total(client: TestClient) -> None:
    page = get_json(client, "/v1/claims", count="none", limit=5)
    assert page["total"] is None
    assert len(page["items"]) == 5
    assert page["next_cursor"] is not None


# Page + count + one statement per kind of related row (claims: actors, places, quantities,
# contradictions); search: + one title look-up per collection in the page, six at most, and
# on PostgreSQL one SET asking for plans made for the search words.
BOUNDS = {
    "/v1/claims": 2,
    "/v1/actors": 2,
    "/v1/locations": 2,
    "/v1/media": 4,
    "/v1/events": 4,
    "/v1/reports": 2,
    "/v1/search?q=Massoud": 9,
}


@pytest.mark.parametrize("path", sorted(BOUNDS))
def test_list_statements_are_bounded_whatever_the_page_size(
    client: TestClient, engine: Engine, path: str
) -> None:
    separator = "&" if "?" in path else "?"
    with captured_statements() as small:
        assert client.get(f"{path}{separator}limit=1").status_code == 200
    with captured_statements() as large:
        page = client.get(f"{path}{separator}limit=500").json()
    assert 1 <= len(large) <= BOUNDS[path], large
    if path != "/v1/search?q=Massoud":
        assert len(large) == len(small), (small, large)
    if path != "/v1/reports":
        assert len(page["items"]) > 5
