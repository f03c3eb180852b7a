"""The serving core: queries run off the event loop, under a time budget the database
enforces, behind a bounded admission queue.

The over-budget query is a statement that would run for minutes (a recursive count on SQLite,
`pg_sleep` on PostgreSQL), sent through the same `Database.run` every route uses; the cheap
requests are real API calls answered while it runs.
"""

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db.deps import DatabaseDep
from app.core.db.engine import asyncpg_connection
from app.core.http.errors import QueryTimeout
from app.core.http.responses import FastJSONResponse
from app.main import create_app
from tests.helpers import assert_problem

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
    " WHERE x < 5000000000) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(60)",
}


def _slow(session: Session) -> Any:
    return session.execute(text(SLOW_SQL[session.get_bind().dialect.name])).scalar()


def _app_with_slow_route(engine: Engine, **settings: Any) -> FastAPI:
    app = create_app(engine, settings=Settings(**settings))

    async def slow(db: DatabaseDep) -> FastJSONResponse:
        return FastJSONResponse({"result": await db.run(_slow)})

    app.add_api_route("/slow", slow)
    return app


async def _timed_get(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response, time.perf_counter() - started


def test_a_query_over_budget_is_stopped_while_cheap_requests_are_answered(
    engine: Engine,
) -> None:
    app = _app_with_slow_route(engine, query_time_limit_ms=1500)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            slow = asyncio.create_task(_timed_get(client, "/slow"))
            await asyncio.sleep(0.2)
            health, health_seconds = await _timed_get(client, "/healthz")
            claim, claim_seconds = await _timed_get(
                client, "/v1/claims/taliban-panjshir-surrounded"
            )
            # Both were answered while the slow query was still running.
            assert not slow.done()
            assert health.json()["status"] == "ok"
            assert claim.json()["claimant"]["name"] == "Taliban"
            assert health_seconds < 0.5
            assert claim_seconds < 0.5
            stopped, stopped_seconds = await slow
        await app.state.database.close()
        body = assert_problem(stopped, 503)
        assert body["limit"] == "query_time_limit"
        assert "1500 ms" in body["detail"]
        assert "count=none" in body["detail"]
        assert stopped.headers["retry-after"] == "5"
        # Stopped by the database at the budget, not left to run for minutes.
        assert 1.4 < stopped_seconds < 5

    asyncio.run(scenario())


def test_the_database_is_usable_after_a_query_was_stopped(engine: Engine) -> None:
    app = _app_with_slow_route(engine, query_time_limit_ms=200, db_pool_size=1)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert_problem(await client.get("/slow"), 503)
            # The same (only) connection answers the next request normally.
            page = (await client.get("/v1/claims", params={"claimant_id": "taliban"})).json()
        await app.state.database.close()
        assert "taliban-panjshir-surrounded" in {item["id"] for item in page["items"]}

    asyncio.run(scenario())


def test_overload_is_answered_503_at_once(engine: Engine) -> None:
    # The slow query holds the one slot for 4 s: the three requests below, the first of a
    # fresh app on a busy machine among them, are answered well inside it.
    app = _app_with_slow_route(
        engine, query_time_limit_ms=4000, db_pool_size=1, max_queued_requests=0
    )

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            slow = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.2)
            refused, seconds = await _timed_get(client, "/v1/claims")
            # Lookups have capacity of their own: answered while the query lane is full.
            detail = await client.get("/v1/claims/taliban-panjshir-surrounded")
            health = await client.get("/healthz")
            assert not slow.done()
            assert detail.json()["claimant"]["id"] == "taliban"
            assert health.json()["status"] == "ok"
            body = assert_problem(refused, 503)
            assert body["limit"] == "max_queued_requests"
            assert refused.headers["retry-after"] == "1"
            assert seconds < 0.5
            assert_problem(await slow, 503)
            # Once the slot is free again, requests are answered.
            after = await client.get("/v1/claims", params={"claimant_id": "taliban"})
        await app.state.database.close()
        assert after.status_code == 200
        assert after.json()["total"] >= 3

    asyncio.run(scenario())


@pytest.mark.parametrize("pool", [1, 24])
def test_queued_requests_wait_for_a_slot_and_are_answered(engine: Engine, pool: int) -> None:
    app = create_app(engine, settings=Settings(db_pool_size=pool, max_queued_requests=50))

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(
                *(client.get("/v1/claims", params={"claimant_id": "taliban"}) for _ in range(40))
            )
        await app.state.database.close()
        return list(responses)

    responses = asyncio.run(scenario())
    assert [r.status_code for r in responses] == [200] * 40
    assert len({r.content for r in responses}) == 1


def test_a_request_budget_covers_all_its_statements(engine: Engine, backend: str) -> None:
    """PostgreSQL: three statements of 0.3 s under a 0.5 s budget; the server would let each
    run, but the third is never started. SQLite: the interrupt at the deadline stops the first one,
    which would run for minutes, at the request's deadline."""
    app = create_app(engine, settings=Settings(query_time_limit_ms=500))
    database = app.state.database
    finished: list[int] = []

    def three_slow_statements(session: Session) -> None:
        for n in range(3):
            if backend == "postgresql":
                session.execute(text("SELECT pg_sleep(0.3)"))
            else:
                session.execute(text(SLOW_SQL["sqlite"])).scalar()
            finished.append(n)

    async def scenario() -> None:
        try:
            await database.run(three_slow_statements)
        finally:
            await database.close()

    with pytest.raises(QueryTimeout):
        asyncio.run(scenario())
    assert finished == ([0, 1] if backend == "postgresql" else [])


def test_the_budget_stops_the_work_of_a_request_whose_client_went_away(engine: Engine) -> None:
    """A request cancelled while its query runs (the client disconnected) does not leave the
    query running: the database still stops it at the budget, and then serves again."""
    app = _app_with_slow_route(engine, query_time_limit_ms=400, db_pool_size=1)
    database = app.state.database
    ended: list[float] = []

    def slow_then_note(session: Session) -> None:
        try:
            _slow(session)
        finally:
            ended.append(time.perf_counter())

    async def scenario() -> dict[str, Any]:
        started = time.perf_counter()
        request = asyncio.create_task(database.run(slow_then_note))
        await asyncio.sleep(0.1)
        request.cancel()
        with pytest.raises(asyncio.CancelledError):
            await request
        while not ended and time.perf_counter() - started < 10:
            await asyncio.sleep(0.05)
        assert ended, "the abandoned query was still running after 10 s"
        assert ended[0] - started < 2
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page: dict[str, Any] = (
                await client.get("/v1/claims", params={"claimant_id": "taliban"})
            ).json()
        await database.close()
        return page

    page = asyncio.run(scenario())
    assert "taliban-panjshir-surrounded" in {item["id"] for item in page["items"]}


def test_libpq_url_options_reach_asyncpg_as_its_own_arguments() -> None:
    url, arguments = asyncpg_connection(
        "postgresql+psycopg://user:secret@db.example:5433/reports"
        "?sslmode=require&connect_timeout=5&application_name=analysts&options=-c%20x%3Dy"
    )
    assert url == "postgresql+asyncpg://user:secret@db.example:5433/reports"
    assert arguments == {
        "ssl": "require",
        "timeout": 5.0,
        "server_settings": {"application_name": "analysts"},
    }
