"""Migrations are the only source of the schema, on both databases."""

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.migrate import downgrade_to_base, include_name, upgrade_to_head
from app.models import Base


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
