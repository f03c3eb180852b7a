"""`count=estimated` (the default) is exact up to 10,000 matching items and flagged beyond;
`count=exact` is always exact; `count=none` counts nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from app.catalog import COLLECTIONS
from app.core.query.listing import EXACT_COUNT_THRESHOLD
from app.main import create_app
from app.models import Claim
from app.synth import synthesize
from tests.conftest import DatabaseFactory
from tests.helpers import get_json, ids

CLAIMS = 12_000


@pytest.fixture(scope="module")
def large(databases: DatabaseFactory) -> Iterator[tuple[TestClient, Engine]]:
    engine = databases.create(seed=False)
    synthesize(engine, claims=CLAIMS, seed=5)
    with TestClient(create_app(engine)) as client:
        yield client, engine


def test_estimated_is_exact_below_the_threshold(large: tuple[TestClient, Engine]) -> None:
    client, engine = large
    with engine.connect() as conn:
        claimant, expected = conn.execute(
            select(Claim.claimant_id, func.count())
            .group_by(Claim.claimant_id)
            .order_by(func.count().desc(), Claim.claimant_id)
            .limit(1)
        ).one()
    assert 50 < expected <= EXACT_COUNT_THRESHOLD
    page = get_json(client, "/v1/claims", claimant_id=claimant)
    assert (page["total"], page["total_relation"]) == (expected, "eq")
    exact = get_json(client, "/v1/claims", claimant_id=claimant, count="exact")
    assert (exact["total"], exact["total_relation"]) == (expected, "eq")
    assert exact["items"] == page["items"]


def test_estimated_is_flagged_above_the_threshold(
    large: tuple[TestClient, Engine], backend: str
) -> None:
    client, _ = large
    page = get_json(client, "/v1/claims", limit=5)
    if backend == "sqlite":
        assert (page["total"], page["total_relation"]) == (EXACT_COUNT_THRESHOLD, "gte")
    else:
        # The planner's estimate, never below what the bounded count proved.
        assert page["total_relation"] == "estimate"
        assert EXACT_COUNT_THRESHOLD < page["total"] < 3 * CLAIMS
    exact = get_json(client, "/v1/claims", limit=5, count="exact")
    assert (exact["total"], exact["total_relation"]) == (CLAIMS, "eq")
    assert exact["items"] == page["items"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/claims", {"q": "fighters"}),
        ("/v1/search", {"q": "fighters"}),
        ("/v1/search", {"q": "fighters", "type": "claim"}),
        ("/v1/search", {"q": "fighters", "type": ["claim", "media"]}),
        ("/v1/claims", {"q": "-nowhere"}),
    ],
)
def test_a_search_past_the_threshold_is_estimated_too(
    large: tuple[TestClient, Engine], backend: str, path: str, params: dict[str, Any]
) -> None:
    """Every synthetic claim says "fighters": more matches than the threshold, so the count
    takes the estimate (PostgreSQL's planner, which renders the statement with its values)."""
    client, _ = large
    page = get_json(client, path, limit=5, **params)
    assert len(page["items"]) == 5
    if backend == "sqlite":
        assert (page["total"], page["total_relation"]) == (EXACT_COUNT_THRESHOLD, "gte")
    else:
        assert page["total_relation"] == "estimate"
        assert page["total"] > EXACT_COUNT_THRESHOLD
    exact = get_json(client, path, limit=5, count="exact", **params)
    assert exact["total_relation"] == "eq"
    assert exact["total"] >= CLAIMS
    assert exact["items"] == page["items"]


def test_none_counts_nothing(large: tuple[TestClient, Engine]) -> None:
    client, _ = large
    page = get_json(client, "/v1/claims", limit=5, count="none")
    assert (page["total"], page["total_relation"]) == (None, None)
    assert len(page["items"]) == 5


def test_the_seed_is_counted_exactly_by_default(client: TestClient) -> None:
    page = get_json(client, "/v1/claims", claimant_id="taliban")
    assert page["total_relation"] == "eq"
    assert page["total"] == len(page["items"]) >= 3
    search = get_json(client, "/v1/search", q="Massoud")
    assert search["total_relation"] == "eq"
    assert search["total"] >= 10


# Words that are also the names of kinds of item, a word in every kind, and exclusions: the
# count of a search comes from the full-text index alone, and must be the items that match.
SEARCH_COUNTS = ("claim", "media", "event", "location", "actor", "report", "taliban", "-taliban")


@pytest.mark.parametrize("q", SEARCH_COUNTS)
def test_a_search_counts_exactly_the_items_it_finds(client: TestClient, q: str) -> None:
    for collection in COLLECTIONS:
        found = ids(client, f"/v1/{collection.name}", q=q)
        page = get_json(client, f"/v1/{collection.name}", q=q, limit=1)
        assert (page["total"], page["total_relation"]) == (len(found), "eq"), collection.name
    everything = get_json(client, "/v1/search", q=q, limit=500)
    assert everything["total"] == len(everything["items"])
    for kinds in (["claim"], ["actor", "location"]):
        some = get_json(client, "/v1/search", q=q, type=kinds, limit=500)
        assert some["total"] == len(some["items"])
        assert {item["type"] for item in some["items"]} <= set(kinds)
        assert some["items"] == [item for item in everything["items"] if item["type"] in kinds]


def test_the_name_of_a_kind_of_item_is_only_a_word(client: TestClient) -> None:
    """`entity_type` is indexed beside the words: searching "claim" is not every claim."""
    all_claims = get_json(client, "/v1/claims", limit=1)["total"]
    claim_word = get_json(client, "/v1/claims", q="claim", limit=1)["total"]
    assert 0 < claim_word < all_claims
    assert get_json(client, "/v1/media", q="media", limit=1)["total"] == 0
