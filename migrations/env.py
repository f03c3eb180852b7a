"""Alembic environment: the URL comes from the app's settings unless the caller passes one."""

from alembic import context
from sqlalchemy import Connection

from app.core.config import get_settings
from app.core.db.engine import build_engine
from app.migrate import include_name
from app.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # A batch migration rebuilds a table by copying it and dropping the old one; with
        # foreign keys enforced, that DROP would delete every row referencing it (ON DELETE
        # CASCADE). Off for the migration, as SQLite's ALTER TABLE procedure prescribes.
        # On the driver's connection: no SQLAlchemy transaction begins before Alembic's own.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
            if conn.dialect.name == "sqlite":
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
