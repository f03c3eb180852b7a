"""Migrations are the only source of the schema, on both databases."""

from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings
from app.importer import import_paths
from app.migrate import alembic_config, downgrade_to_base, include_name, upgrade_to_head
from app.models import Base
from tests.conftest import SEED_DIR


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": conn.dialect.name == "sqlite",
                "include_name": include_name,
            },
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_check_downgrade_upgrade(make_database: Callable[..., Engine]) -> None:
    engine = make_database(migrate=False, seed=False)
    url = engine.url.render_as_string(hide_password=False)
    assert inspect(engine).get_table_names() == []

    upgrade_to_head(url)
    tables = set(inspect(engine).get_table_names())
    assert {"report", "actor", "claim", "claim_link", "media", "event"} <= tables
    assert _differences(engine) == [], "models and migrations have drifted (alembic check)"

    downgrade_to_base(url)
    engine.dispose()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    upgrade_to_head(url)
    engine.dispose()
    assert set(inspect(engine).get_table_names()) == tables
    assert _differences(engine) == []


def test_migrating_down_and_up_keeps_the_data(make_database: Callable[..., Engine]) -> None:
    """The revisions after the first touch tables full of data (columns, indexes): no row may
    be lost on the way down or up (on SQLite a table rebuild with foreign keys on would
    delete every row that references it), and the derived claim flags are filled again."""
    engine = make_database()
    url = engine.url.render_as_string(hide_password=False)
    tables = ("claim", "claim_link", "claim_quantity", "claim_actor", "claim_location", "media")

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                table: int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
                for table in tables
            }

    def flags() -> tuple[int, int]:
        with engine.connect() as conn:
            row = (
                conn.exec_driver_sql("SELECT count(*) FROM claim WHERE contested").scalar_one(),
                conn.exec_driver_sql("SELECT count(*) FROM claim WHERE has_quantity").scalar_one(),
            )
        return int(row[0]), int(row[1])

    before, flags_before = counts(), flags()
    assert before["claim_link"] > 0
    assert flags_before[0] > 0
    engine.dispose()
    command.downgrade(alembic_config(url), "0004")
    engine.dispose()
    assert counts() == before
    upgrade_to_head(url)
    engine.dispose()
    assert counts() == before
    assert flags() == flags_before


def test_text_sorts_in_code_point_order_on_postgresql(engine: Engine) -> None:
    """Every text column but the full-text source is COLLATE "C" on PostgreSQL (SQLite's
    order, by code point), so a server whose default collation is en_US.UTF-8 sorts ids,
    names and facet values like SQLite does."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite compares text by code point already")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT table_name, column_name, coalesce(collation_name, '')"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND data_type IN ('character varying', 'text')"
            " AND table_name <> 'alembic_version'"
        ).all()
    assert len(rows) > 40
    others = [(table, column) for table, column, collation in rows if collation != "C"]
    assert sorted(others) == [("search_document", "content"), ("search_document", "terms")]


def test_migrate_says_what_it_did(
    make_database: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_database(migrate=False, seed=False)
    url = engine.url.render_as_string(hide_password=False)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:

        def migrate() -> str:
            result = CliRunner().invoke(cli, ["migrate"])
            assert result.exit_code == 0, result.output
            return " ".join(result.output.split())

        assert migrate() == f"created the schema at revision {head}"
        assert migrate() == f"already at the newest revision {head}"
        engine.dispose()
        command.downgrade(alembic_config(url), "0007")
        assert migrate() == f"upgraded from revision 0007 to {head}"
    finally:
        get_settings.cache_clear()
        engine.dispose()


def test_data_loaded_before_0009_gets_claimants_and_venues(
    make_database: Callable[..., Engine],
) -> None:
    """A database seeded before revision 0009 had free-text channels and claims with no
    claimant: the upgrade makes the publisher an actor and their claimant, names the venue the
    old channel spelt out, and the next seed replaces the stand-in outlet with the bundle's."""
    engine = make_database()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    command.downgrade(alembic_config(url), "0008")
    engine.dispose()
    with engine.begin() as conn:
        # What the earlier seed wrote.
        conn.exec_driver_sql("UPDATE claim SET claimant_id = NULL WHERE claimant_id = 'mailonline'")
        conn.exec_driver_sql(
            "UPDATE claim SET channel = 'interview with Reuters'"
            " WHERE id = 'massoud-people-want-to-resist'"
        )
        conn.exec_driver_sql(
            "UPDATE claim SET channel = 'photo caption (reported speech)'"
            " WHERE id = 'massoud-no-fighter-will-pass'"
        )
    upgrade_to_head(url)
    engine.dispose()
    with engine.connect() as conn:
        claimants: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT id, claimant_id FROM claim WHERE channel = 'reporting' ORDER BY id"
            ).all()
        )
        rows = conn.exec_driver_sql(
            "SELECT id, channel, venue_id FROM claim"
            " WHERE id IN ('massoud-people-want-to-resist', 'massoud-no-fighter-will-pass')"
            " ORDER BY id"
        ).all()
        publisher = conn.exec_driver_sql("SELECT publisher_id FROM report").scalar_one()
        nameless = conn.exec_driver_sql(
            "SELECT count(*) FROM claim WHERE claimant_id IS NULL"
        ).scalar_one()
    outlet = "outlet-mailonline-daily-mail"
    assert set(claimants.values()) == {outlet}
    assert len(claimants) == 5
    assert publisher == outlet
    assert nameless == 0
    assert [tuple(row) for row in rows] == [
        ("massoud-no-fighter-will-pass", "unspecified", None),
        ("massoud-people-want-to-resist", "interview", "reuters"),
    ]
    import_paths(engine, [SEED_DIR])
    with engine.connect() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT DISTINCT claimant_id FROM claim WHERE channel = 'reporting'"
            ).scalar_one()
            == "mailonline"
        )
        assert (
            conn.exec_driver_sql(f"SELECT count(*) FROM actor WHERE id = '{outlet}'").scalar_one()
            == 0
        )
