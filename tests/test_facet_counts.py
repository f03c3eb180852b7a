"""Unfiltered facets come from counts the importer stores; they must equal a live count, and
follow every import."""

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, true
from sqlalchemy.orm import Session

from app.catalog import BY_NAME
from app.core.query.facets import facet_answer
from app.importer import import_paths
from app.main import create_app
from app.models import FacetCount
from tests.helpers import get_json, replace_in

BUNDLE_NAME = "000_panjshir-last-bastion.yaml"


@pytest.mark.parametrize("collection", ["claims", "media", "events"])
@pytest.mark.parametrize("size", [1, 3, 50, 500])
def test_stored_counts_equal_a_live_count(engine: Engine, collection: str, size: int) -> None:
    facet_set = BY_NAME[collection].facets
    assert facet_set is not None
    with Session(engine) as session:
        stored_rows = session.scalar(
            select(func.count()).select_from(FacetCount).where(FacetCount.collection == collection)
        )
        stored = facet_answer(session, facet_set, None, size=size)
        # A scope that holds everything takes the live path.
        live = facet_answer(session, facet_set, true(), size=size)
    assert stored_rows
    assert stored == live
    assert stored["total"] > 0


def test_the_api_serves_the_stored_counts(client: TestClient) -> None:
    body = get_json(client, "/v1/claims/facets", facet_size=2)
    full = get_json(client, "/v1/claims/facets", facet_size=500)
    assert body["total"] == full["total"] == 30
    for name, values in full["facets"].items():
        assert body["facets"][name] == values[:2], name
    assert body["facets"]["claimant"][0]["value"] == "ahmad-massoud"


def test_counts_follow_a_reimport(make_database: Callable[..., Engine], seed_copy: Path) -> None:
    engine = make_database()
    with TestClient(create_app(engine)) as client:
        before = get_json(client, "/v1/claims/facets")
        statuses = {e["value"]: e["count"] for e in before["facets"]["status"]}
        bundle = seed_copy / BUNDLE_NAME
        text = bundle.read_text(encoding="utf-8")
        start = text.index("  - id: levy-massoud-only-one-who-resists")
        end = text.index("  - id: levy-france-should-help")
        removed = text[start:end]
        status = removed.split("    status: ", 1)[1].split("\n", 1)[0]
        bundle.write_text(text[:start] + text[end:], encoding="utf-8")
        import_paths(engine, [seed_copy])
        after = get_json(client, "/v1/claims/facets")
    assert after["total"] == before["total"] - 1
    after_statuses = {e["value"]: e["count"] for e in after["facets"]["status"]}
    assert after_statuses[status] == statuses[status] - 1


def test_without_stored_counts_facets_are_counted_live(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    with TestClient(create_app(engine)) as client:
        stored = get_json(client, "/v1/events/facets")
        with engine.begin() as conn:
            conn.execute(delete(FacetCount))
        live = get_json(client, "/v1/events/facets")
    assert live == stored
    assert live["total"] == 6


def test_claim_flags_follow_a_reimport(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()
    bundle = seed_copy / BUNDLE_NAME
    # One of the two claims contradicting the encirclement no longer says so.
    replace_in(bundle, "    contradicts: [taliban-panjshir-surrounded]\n", "")
    import_paths(engine, [seed_copy])
    with TestClient(create_app(engine)) as client:
        contested = {
            item["id"] for item in get_json(client, "/v1/claims", contested="true")["items"]
        }
        quantified = get_json(client, "/v1/claims", has_quantity="true")["total"]
    # The Northern Alliance still contradicts the encirclement, its two body claims and the
    # summary bullet restating them; Massoud's caption no longer does, nor do the
    # contradictions derived from it.
    assert contested == {
        "na-efforts-rebuffed",
        "taliban-panjshir-surrounded",
        "taliban-sending-hundreds",
        "taliban-panjshir-surrounded-summary",
    }
    assert quantified > 0


def test_a_facet_without_stored_counts_is_counted_live(
    make_database: Callable[..., Engine],
) -> None:
    """As after a release that declares a new facet, before the next import."""
    engine = make_database()
    with TestClient(create_app(engine)) as client:
        stored = get_json(client, "/v1/claims/facets")
        with engine.begin() as conn:
            conn.execute(
                delete(FacetCount).where(
                    FacetCount.collection == "claims", FacetCount.facet == "channel"
                )
            )
        live = get_json(client, "/v1/claims/facets")
    assert live == stored
    assert live["facets"]["channel"]


@pytest.mark.parametrize("collection", ["claims", "media", "events"])
@pytest.mark.parametrize("filtered", [False, True])
def test_every_facet_bucket_has_a_label(
    client: TestClient, collection: str, filtered: bool
) -> None:
    """Stored (unfiltered) and live (filtered) counts alike: actors and places by name,
    vocabulary values by their label, months spelt out, the items without a value too."""
    params = {"report_id": "panjshir-last-bastion-2021-08-24"} if filtered else {}
    body = get_json(client, f"/v1/{collection}/facets", facet_size=500, **params)
    buckets = [entry for entries in body["facets"].values() for entry in entries]
    assert len(buckets) > 10
    unlabelled = [entry for entry in buckets if not isinstance(entry["label"], str)]
    assert unlabelled == []
    assert all(entry["label"] for entry in buckets)
    labels = {
        name: {entry["value"]: entry["label"] for entry in entries}
        for name, entries in body["facets"].items()
    }
    if collection == "media":
        assert labels["kind"]["photo"] == "Photo"
        assert labels["posted_by"] == {
            "northern-alliance": "Northern Alliance",
            None: "Poster not named",
        }
        assert labels["month"]["2001-04"] == "April 2001"
    elif collection == "events":
        assert labels["location"][None] == "Location not named"
        assert labels["event_type"]["Battles"] == "Battles"
    else:
        assert labels["channel"]["social_media_post"] == "Social media post"
