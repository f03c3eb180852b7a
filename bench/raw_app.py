"""The raw-driver ceiling: a bare ASGI endpoint running the API's own SQL for "claims by
claimant" with asyncpg (PostgreSQL) or sqlite3 (SQLite) and shaping the same JSON with orjson.

No framework, no ORM, no validation: what the database and the driver cost, nothing more.
The benchmark checks that its answers equal the API's, so both do the same work.

Run: DATABASE_URL=… uvicorn bench.raw_app:app --port 8101
"""

import os
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

CLAIM_COLUMNS = (
    "claim.id, claim.report_id, claim.claimant_id, claim.quote, claim.span_start, "
    "claim.span_end, claim.statement, claim.kind, claim.status, claim.channel, claim.stated_on, "
    "claim.stated_on_precision, claim.stated_on_text, actor.name, actor.kind"
)
PAGE = (
    f"SELECT {CLAIM_COLUMNS} FROM claim LEFT OUTER JOIN actor ON actor.id = claim.claimant_id "
    "WHERE claim.claimant_id = {p1} ORDER BY claim.id LIMIT {p2}"
)
COUNT = "SELECT count(*) FROM claim WHERE claim.claimant_id = {p1}"
ACTORS = (
    "SELECT claim_actor.claim_id, actor.id, actor.name, actor.kind, claim_actor.role "
    "FROM claim_actor JOIN actor ON actor.id = claim_actor.actor_id "
    "WHERE claim_actor.claim_id IN ({ids}) ORDER BY claim_actor.claim_id, claim_actor.position"
)
LOCATIONS = (
    "SELECT claim_location.claim_id, location.id, location.name, location.kind, "
    "claim_location.role FROM claim_location JOIN location ON location.id = "
    "claim_location.location_id WHERE claim_location.claim_id IN ({ids}) "
    "ORDER BY claim_location.claim_id, claim_location.position"
)
QUANTITIES = (
    "SELECT claim_id, value, unit, counted, qualifier, text FROM claim_quantity "
    "WHERE claim_id IN ({ids}) ORDER BY claim_id, position"
)
LINKS = (
    "SELECT source_id, target_id FROM claim_link WHERE kind = 'contradicts' "
    "AND (source_id IN ({ids}) OR target_id IN ({ids2}))"
)


def shape(
    rows: list[Any],
    actors: list[Any],
    locations: list[Any],
    quantities: list[Any],
    links: list[Any],
    limit: int,
    total: int,
) -> bytes:
    by_claim: dict[str, dict[str, list[Any]]] = {}
    for claim_id, aid, name, kind, role in actors:
        by_claim.setdefault(claim_id, {}).setdefault("a", []).append(
            {"id": aid, "name": name, "kind": kind, "role": role}
        )
    for claim_id, lid, name, kind, role in locations:
        by_claim.setdefault(claim_id, {}).setdefault("l", []).append(
            {"id": lid, "name": name, "kind": kind, "role": role}
        )
    for claim_id, value, unit, counted, qualifier, text in quantities:
        by_claim.setdefault(claim_id, {}).setdefault("q", []).append(
            {"value": value, "unit": unit, "counted": counted, "qualifier": qualifier, "text": text}
        )
    contradictions: dict[str, set[str]] = {}
    for source, target in links:
        contradictions.setdefault(source, set()).add(target)
        contradictions.setdefault(target, set()).add(source)
    items = []
    for row in rows[:limit]:
        extra = by_claim.get(row[0], {})
        items.append(
            {
                "id": row[0],
                "report_id": row[1],
                "claimant": None
                if row[2] is None
                else {"id": row[2], "name": row[13], "kind": row[14]},
                "quote": row[3],
                "span": {"start": row[4], "end": row[5]},
                "statement": row[6],
                "kind": row[7],
                "status": row[8],
                "channel": row[9],
                "stated_on": row[10],
                "stated_on_precision": row[11],
                "stated_on_text": row[12],
                "quantities": extra.get("q", []),
                "contradicts": sorted(contradictions.get(row[0], ())),
                "actors": extra.get("a", []),
                "locations": extra.get("l", []),
            }
        )
    # The API's cursor is opaque; the ceiling reports only whether there is a next page.
    more = len(rows) > limit
    return orjson.dumps({"items": items, "next_cursor": "more" if more else None, "total": total})


class SQLiteBackend:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    async def start(self) -> None:
        return None

    async def claims_by_claimant(self, claimant: str, limit: int) -> bytes:
        db = self.db
        rows = db.execute(PAGE.format(p1="?", p2="?"), (claimant, limit + 1)).fetchall()
        total = db.execute(COUNT.format(p1="?"), (claimant,)).fetchone()[0]
        ids = [row[0] for row in rows[:limit]]
        marks = ", ".join("?" * len(ids)) or "NULL"
        actors = db.execute(ACTORS.format(ids=marks), ids).fetchall()
        locations = db.execute(LOCATIONS.format(ids=marks), ids).fetchall()
        quantities = db.execute(QUANTITIES.format(ids=marks), ids).fetchall()
        links = db.execute(LINKS.format(ids=marks, ids2=marks), ids + ids).fetchall()
        return shape(rows, actors, locations, quantities, links, limit, total)


class PostgresBackend:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: Any = None

    async def start(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(self.dsn, min_size=10, max_size=20)

    async def claims_by_claimant(self, claimant: str, limit: int) -> bytes:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(PAGE.format(p1="$1", p2="$2"), claimant, limit + 1)
            total = await conn.fetchval(COUNT.format(p1="$1"), claimant)
            ids = [row[0] for row in rows[:limit]]
            actors = await conn.fetch(ACTORS.format(ids="SELECT unnest($1::text[])"), ids)
            locations = await conn.fetch(LOCATIONS.format(ids="SELECT unnest($1::text[])"), ids)
            quantities = await conn.fetch(QUANTITIES.format(ids="SELECT unnest($1::text[])"), ids)
            links = await conn.fetch(
                LINKS.format(ids="SELECT unnest($1::text[])", ids2="SELECT unnest($1::text[])"),
                ids,
            )
        return shape(
            [tuple(r) for r in rows],
            [tuple(r) for r in actors],
            [tuple(r) for r in locations],
            [tuple(r) for r in quantities],
            [tuple(r) for r in links],
            limit,
            total,
        )


def _backend() -> Any:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        return SQLiteBackend(url.split("///", 1)[1])
    return PostgresBackend("postgresql://" + url.split("://", 1)[1])


backend = _backend()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await backend.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    query = parse_qs(scope["query_string"].decode())
    body = await backend.claims_by_claimant(
        query["claimant_id"][0], int(query.get("limit", ["50"])[0])
    )
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
