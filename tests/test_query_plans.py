"""On PostgreSQL every main claim filter is served by an index, not a scan of the table.

A few thousand synthetic claims are loaded, statistics gathered, and each list request's SQL
explained with sequential scans disabled: a filter with no usable index still gets a
sequential scan then (at a prohibitive cost), so finding none on `claim` proves the index.
"""

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from app.core.query.search_language import index_terms
from app.core.query.sync import FIXED_TIME
from app.importer.derived import refresh_derived
from app.main import create_app
from app.models import (
    Actor,
    Claim,
    ClaimActor,
    ClaimLink,
    ClaimLocation,
    ClaimQuantity,
    Location,
    SearchDocument,
)
from tests.conftest import DatabaseFactory
from tests.helpers import captured_statements

SYNTHETIC_CLAIMS = 4000
REPORT_ID = "panjshir-last-bastion-2021-08-24"


def _load_synthetic(engine: Engine) -> None:
    actors = [
        {"id": f"synthetic-actor-{n}", "name": f"Actor {n}", "kind": "armed_group", "aliases": []}
        for n in range(80)
    ]
    locations = [
        {
            "id": f"synthetic-place-{n}",
            "name": f"Place {n}",
            "kind": "district",
            "latitude": 30 + n / 10,
            "longitude": 60 + n / 10,
            "precision": "district",
            "parent_id": "afghanistan",
            "country_code": "AF",
            "aliases": [],
        }
        for n in range(60)
    ]
    kinds = ["territorial_control", "casualties", "vow", "appeal", "stance", "policy"]
    statuses = ["unverified", "disputed", "corroborated", "denied"]
    channels = ["statement", "tweet", "interview", "unspecified", "social_media_post"]
    claims, claim_actors, claim_locations, quantities, links, documents = [], [], [], [], [], []
    start = dt.date(2015, 1, 1)
    for n in range(SYNTHETIC_CLAIMS):
        claim_id = f"synthetic-claim-{n:05d}"
        day = start + dt.timedelta(days=n % 2500)
        claims.append(
            {
                "id": claim_id,
                "report_id": REPORT_ID,
                "claimant_id": f"synthetic-actor-{n % 80}",
                "quote": "the Taliban have surrounded the valley",
                "span_start": 0,
                "span_end": 10,
                "statement": f"Synthetic statement {n}",
                "kind": kinds[n % len(kinds)],
                # One channel in 40 is rare, as selective as a claimant.
                "channel": "published_appeal" if n % 40 == 7 else channels[n % len(channels)],
                "stated_on": day,
                "stated_until": day,
                "stated_on_precision": "day",
                "status": statuses[n % len(statuses)],
            }
        )
        claim_actors.append(
            {
                "claim_id": claim_id,
                "actor_id": f"synthetic-actor-{(n * 7) % 80}",
                "role": "target",
                "position": 0,
            }
        )
        claim_locations.append(
            {
                "claim_id": claim_id,
                "location_id": f"synthetic-place-{n % 60}",
                "role": "subject",
                "position": 0,
            }
        )
        if n % 5 == 0:
            quantities.append(
                {
                    "claim_id": claim_id,
                    "position": 0,
                    "value": n,
                    "unit": "people",
                    "counted": "killed",
                    "qualifier": "exact",
                }
            )
        if n % 50 == 1:
            links.append(
                {
                    "source_id": claim_id,
                    "target_id": f"synthetic-claim-{n - 1:05d}",
                    "kind": "contradicts",
                }
            )
        content = f"synthetic statement number {n} about convoy{n % 300}"
        terms, term_count = index_terms(content)
        documents.append(
            {
                "entity_type": "claim",
                "entity_id": claim_id,
                "report_id": REPORT_ID,
                "content": content,
                "terms": terms,
                "term_count": term_count,
            }
        )
    with engine.begin() as conn:
        for model, rows in (
            (Actor, actors),
            (Location, locations),
            (Claim, claims),
            (ClaimActor, claim_actors),
            (ClaimLocation, claim_locations),
            (ClaimQuantity, quantities),
            (ClaimLink, links),
            (SearchDocument, documents),
        ):
            if "updated_at" in model.__table__.c:
                rows = [{**row, "updated_at": FIXED_TIME} for row in rows]
            conn.execute(insert(model), rows)
        # What the importer does after writing: the claim flags and the stored facet counts.
        refresh_derived(conn)
        conn.exec_driver_sql("ANALYZE")


def _scanned_relations(plan: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(plan, dict):
        if "Relation Name" in plan:
            found.append((plan["Node Type"], plan["Relation Name"]))
        for value in plan.values():
            found.extend(_scanned_relations(value))
    elif isinstance(plan, list):
        for value in plan:
            found.extend(_scanned_relations(value))
    return found


FILTERS = {
    "claimant_id": "claimant_id=synthetic-actor-3",
    "actor_id": "actor_id=synthetic-actor-5",
    "location_id": "location_id=synthetic-place-7",
    "sublocations": "location_id=afghanistan&include_sublocations=true&count=none",
    "report_id": "report_id=panjshir-last-bastion-2021-08-24&count=none",
    "kind": "kind=casualties",
    "status": "status=denied",
    "channel": "channel=published_appeal",
    "stated_range": "stated_from=2016-03-01&stated_to=2016-03-31",
    "contested": "contested=true",
    "has_quantity": "has_quantity=true&count=none",
    "q": "q=convoy17",
    "sort_by_date": "sort=-stated_on&claimant_id=synthetic-actor-9",
}


@pytest.fixture(scope="module")
def synthetic_engine(backend: str, databases: DatabaseFactory) -> Engine:
    if backend != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL, the production engine")
    engine = databases.create()
    _load_synthetic(engine)
    return engine


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_claim_filters_use_indexes(synthetic_engine: Engine, name: str) -> None:
    engine = synthetic_engine
    app = create_app(engine)
    with TestClient(app) as client:
        with captured_statements() as statements:
            response = client.get(f"/v1/claims?limit=50&{FILTERS[name]}")
        assert response.status_code == 200, response.text
        assert response.json()["items"], "the filter should match synthetic claims"
        claim_statements = [(s, p) for s, p in statements if "FROM claim" in s]
        assert claim_statements

        def plans(session: Session) -> list[Any]:
            # Explained on the serving connection, in the serving driver's own SQL dialect.
            conn = session.connection()
            conn.exec_driver_sql("SET enable_seqscan = off")
            return [
                conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar_one()
                for statement, parameters in claim_statements
            ]

        assert client.portal is not None
        explained = client.portal.call(app.state.database.run, plans)
    for (statement, _), plan in zip(claim_statements, explained, strict=True):
        plan = json.loads(plan) if isinstance(plan, str) else plan
        scans = _scanned_relations(plan)
        assert ("Seq Scan", "claim") not in scans, (name, statement, scans)
