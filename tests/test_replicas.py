"""Reads spread over PostgreSQL streaming replicas (`DATABASE_REPLICA_URLS`).

The test makes a primary of its own (initdb, its own port: never the shared server) and a
streaming replica of it (`pg_basebackup -R`, another port), migrates and seeds the primary,
and shows, on one app `Database`:

- reads are served by the replica (`inet_server_port()`), with the answers of the primary;
- a writer's next read (`reading_after` its write's WAL position) sees the write at once,
  even with the replica's replay paused;
- a replica that falls behind is taken out of rotation, and comes back once it catches up;
- a replica that goes away is taken out with no read failing.
"""

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.catalog import CHANGES
from app.core.config import Settings
from app.core.db.engine import PostgresDatabase, build_engine, open_database
from app.core.db.replicas import CHECK_INTERVAL, lsn_value, reading_after
from app.importer import import_paths
from app.main import create_app
from app.migrate import upgrade_to_head
from tests.conftest import SEED_DIR
from tests.private_postgres import PrivateServer, postgres_programs, private_servers

MAX_LAG = 1.0


def _server_port(session: Session) -> int:
    return int(session.execute(text("SELECT inet_server_port()")).scalar_one())


def _taliban_name(session: Session) -> tuple[int, str]:
    port = _server_port(session)
    name = session.execute(text("SELECT name FROM actor WHERE id = 'taliban'")).scalar_one()
    return port, str(name)


@pytest.fixture(scope="module")
def pair(backend: str) -> Iterator[tuple[PrivateServer, PrivateServer]]:
    if backend != "postgresql":
        pytest.skip("replicas are PostgreSQL's")
    programs = postgres_programs()
    with private_servers(2) as (root, user, ports):
        primary = PrivateServer(bin=programs, data=root / "primary", port=ports[0], user=user)
        primary.init()
        # No autovacuum: its WAL would make the replica briefly "behind" at random moments.
        primary.start("wal_level=replica", "max_wal_senders=4", "autovacuum=off")
        upgrade_to_head(primary.url)
        engine = build_engine(primary.url)
        try:
            import_paths(engine, [SEED_DIR])
        finally:
            engine.dispose()
        replica = PrivateServer(bin=programs, data=root / "replica", port=ports[1], user=user)
        primary.base_backup_to(replica.data)
        replica.start("hot_standby=on")
        _caught_up(primary, replica)
        yield primary, replica


def _caught_up(primary: PrivateServer, replica: PrivateServer) -> None:
    """Wait until the replica has replayed all the primary has written."""
    engines = build_engine(primary.url), build_engine(replica.url)
    try:
        with engines[0].connect() as conn:
            target = lsn_value(str(conn.exec_driver_sql(LSN).scalar_one()))

        def replayed() -> bool:
            with engines[1].connect() as conn:
                position = conn.exec_driver_sql(REPLAYED).scalar_one()
            return position is not None and lsn_value(str(position)) >= target

        _wait_for(replayed, "the replica to replay the seed")
    finally:
        for engine in engines:
            engine.dispose()


LSN = "SELECT pg_current_wal_lsn()::text"
REPLAYED = "SELECT pg_last_wal_replay_lsn()::text"


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_reads_go_to_the_replica_and_answer_as_the_primary(
    pair: tuple[PrivateServer, PrivateServer],
) -> None:
    primary, replica = pair
    engine = build_engine(primary.url)
    settings = Settings(database_replica_urls=replica.url, database_replica_max_lag_s=MAX_LAG)
    try:
        with (
            TestClient(create_app(engine)) as direct,
            TestClient(create_app(engine, settings=settings)) as spread,
        ):
            for path in ("/v1/claims?claimant_id=taliban", "/v1/actors", "/v1/search?q=valley"):
                expected = direct.get(path)
                assert expected.status_code == 200
                assert spread.get(path).content == expected.content, path

        database = open_database(engine, settings, changes=CHANGES)
        assert isinstance(database, PostgresDatabase)

        async def ports() -> list[int]:
            try:
                return [await database.run(_server_port) for _ in range(6)]
            finally:
                await database.close()

        assert set(asyncio.run(ports())) == {replica.port}, database.rotation.replicas[0].state
    finally:
        engine.dispose()


def test_a_writer_reads_its_write_and_a_lagging_or_gone_replica_leaves_rotation(
    pair: tuple[PrivateServer, PrivateServer],
) -> None:
    primary, replica = pair
    engine = build_engine(primary.url)
    on_replica = build_engine(replica.url)
    settings = Settings(database_replica_urls=replica.url, database_replica_max_lag_s=MAX_LAG)
    database = open_database(engine, settings, changes=CHANGES)
    assert isinstance(database, PostgresDatabase)

    async def scenario() -> None:
        try:
            first = await database.run(_taliban_name)
            assert first[0] == replica.port, database.rotation.replicas[0].state
            # The replica stops replaying; the primary takes a write.
            with on_replica.connect() as conn:
                conn.exec_driver_sql("SELECT pg_wal_replay_pause()")
            with engine.begin() as conn:
                conn.exec_driver_sql("UPDATE actor SET name = 'Renamed' WHERE id = 'taliban'")
            with engine.connect() as conn:
                written = lsn_value(str(conn.exec_driver_sql(LSN).scalar_one()))
            # The writer reads its own write at once: the replica has not replayed it.
            with reading_after(written):
                assert await database.run(_taliban_name) == (primary.port, "Renamed")
            # Within the lag allowed and two checks, the replica is out: reads go to the
            # primary and see the write; none fails on the way.
            seen = []
            for _ in range(int((MAX_LAG + 3 * CHECK_INTERVAL) / 0.25)):
                seen.append(await database.run(_taliban_name))
                if seen[-1] == (primary.port, "Renamed"):
                    break
                await asyncio.sleep(0.25)
            assert seen[-1] == (primary.port, "Renamed"), seen
            assert set(seen) <= {(replica.port, "Taliban"), (primary.port, "Renamed")}
            replica_state = database.rotation.replicas[0]
            assert not replica_state.in_rotation
            assert "behind" in replica_state.state
            # Replay resumes: the replica catches up and is back in rotation.
            with on_replica.connect() as conn:
                conn.exec_driver_sql("SELECT pg_wal_replay_resume()")
            for _ in range(40):
                if (await database.run(_taliban_name)) == (replica.port, "Renamed"):
                    break
                await asyncio.sleep(0.25)
            else:
                raise AssertionError("the replica did not come back into rotation")
            # The replica goes away: no read fails, the primary answers.
            on_replica.dispose()
            replica.stop("immediate")
            answers = [await database.run(_taliban_name) for _ in range(10)]
            assert answers == [(primary.port, "Renamed")] * 10
            assert not database.rotation.replicas[0].in_rotation
        finally:
            await database.close()

    try:
        asyncio.run(scenario())
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE actor SET name = 'Taliban' WHERE id = 'taliban'")
        engine.dispose()
        on_replica.dispose()


def test_replicas_need_postgresql(engine: Engine) -> None:
    settings = Settings(database_replica_urls="postgresql://replica/db")
    if engine.dialect.name == "sqlite":
        with pytest.raises(ValueError, match="DATABASE_REPLICA_URLS needs a PostgreSQL"):
            open_database(engine, settings, changes=CHANGES)
    else:
        database = open_database(engine, settings, changes=CHANGES)
        assert isinstance(database, PostgresDatabase)
        assert [r.url for r in database.rotation.replicas] == ["postgresql+psycopg://replica/db"]
