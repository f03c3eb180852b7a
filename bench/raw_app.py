"""The raw-driver ceiling: a bare ASGI endpoint running the API's own SQL with asyncpg
(PostgreSQL) or sqlite3 (SQLite) and shaping the same JSON with orjson, for the two hot shapes
of the benchmark: claims by claimant (`?claimant_id=…&limit=50`, with its total) and a page of
claims of one kind (`?kind=…&limit=500&count=none`, no total).

No framework, no ORM, no validation: what the database and the driver cost, nothing more.
The benchmark checks that its answers equal the API's, so both do the same work.

Run: DATABASE_URL=… uvicorn bench.raw_app:app --port 8101
"""

import datetime as dt
import os
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson

from app.claims.service import related_json
from app.core.query.periods import period_of

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

CLAIM_COLUMNS = (
    "claim.id, claim.report_id, claim.claimant_id, claim.quote, claim.span_start, "
    "claim.span_end, claim.statement, claim.kind, claim.status, claim.channel, claim.stated_on, "
    "claim.stated_on_precision, claim.stated_on_text, actor.name, actor.kind, "
    "claim.venue_id, venue.name, venue.kind"
)


def page_sql(
    dialect: str, placeholder: str, limit_placeholder: str, column: str = "claimant_id"
) -> str:
    """The API's page query for claims whose `column` is a value, its JSON columns taken from
    the API."""
    related = ", ".join(related_json(dialect).values())
    return (
        f"SELECT {CLAIM_COLUMNS}, {related}, claim.updated_at FROM claim"
        " LEFT OUTER JOIN actor ON actor.id = claim.claimant_id"
        " LEFT OUTER JOIN actor AS venue ON venue.id = claim.venue_id"
        f" WHERE claim.{column} = {placeholder} ORDER BY claim.id LIMIT {limit_placeholder}"
    )


def count_sql(placeholder: str) -> str:
    return (
        "SELECT count(*) FROM (SELECT 1 FROM claim LEFT OUTER JOIN actor"
        f" ON actor.id = claim.claimant_id WHERE claim.claimant_id = {placeholder}) AS counted"
    )


def moment(value: Any) -> str:
    """`updated_at` as the API writes it: sqlite3 gives the stored UTC text, asyncpg a
    datetime."""
    if isinstance(value, str):
        return value.replace(" ", "T") + "Z"
    return str(value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def shape(rows: list[Any], limit: int, total: int | None) -> bytes:
    items = []
    for row in rows[:limit]:
        stated_on = row[10]
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
                "venue": None
                if row[15] is None
                else {"id": row[15], "name": row[16], "kind": row[17]},
                "stated_on": stated_on,
                "stated_on_precision": row[11],
                # sqlite3 gives the date as text, asyncpg as a date.
                "stated_period": period_of(
                    dt.date.fromisoformat(stated_on) if isinstance(stated_on, str) else stated_on,
                    row[11],
                ),
                "stated_on_text": row[12],
                "quantities": orjson.Fragment(row[20]),
                "contradicts": orjson.Fragment(row[21]),
                "actors": orjson.Fragment(row[18]),
                "locations": orjson.Fragment(row[19]),
                "updated_at": moment(row[22]),
            }
        )
    # The API's cursor is opaque; the ceiling reports only whether there is a next page.
    more = len(rows) > limit
    return orjson.dumps({"items": items, "next_cursor": "more" if more else None, "total": total})


PAGE_SQLITE = page_sql("sqlite", "?", "?")
COUNT_SQLITE = count_sql("?")
PAGE_POSTGRESQL = page_sql("postgresql", "$1", "$2")
COUNT_POSTGRESQL = count_sql("$1")
KIND_PAGE_SQLITE = page_sql("sqlite", "?", "?", column="kind")
KIND_PAGE_POSTGRESQL = page_sql("postgresql", "$1", "$2", column="kind")


class SQLiteBackend:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    async def start(self) -> None:
        return None

    async def claims_by_claimant(self, claimant: str, limit: int) -> bytes:
        rows = self.db.execute(PAGE_SQLITE, (claimant, limit + 1)).fetchall()
        total = self.db.execute(COUNT_SQLITE, (claimant,)).fetchone()[0]
        return shape(rows, limit, total)

    async def claims_of_kind(self, kind: str, limit: int) -> bytes:
        rows = self.db.execute(KIND_PAGE_SQLITE, (kind, limit + 1)).fetchall()
        return shape(rows, limit, None)


class PostgresBackend:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: Any = None

    async def start(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(self.dsn, min_size=10, max_size=20)

    async def claims_by_claimant(self, claimant: str, limit: int) -> bytes:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(PAGE_POSTGRESQL, claimant, limit + 1)
            total = await conn.fetchval(COUNT_POSTGRESQL, claimant)
        return shape([tuple(r) for r in rows], limit, total)

    async def claims_of_kind(self, kind: str, limit: int) -> bytes:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(KIND_PAGE_POSTGRESQL, kind, limit + 1)
        return shape([tuple(r) for r in rows], limit, None)


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
    limit = int(query.get("limit", ["50"])[0])
    if "claimant_id" in query:
        body = await backend.claims_by_claimant(query["claimant_id"][0], limit)
    else:
        body = await backend.claims_of_kind(query["kind"][0], limit)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
