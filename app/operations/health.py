"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its database answers
and its schema is the one this code was written for)."""

import asyncio
import logging
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from app.core.db.engine import Database
from app.core.http.errors import AppError
from app.migrate import alembic_config

logger = logging.getLogger("app.health")

# Readiness answers within this long even when the database does not (a hung connect).
READINESS_TIMEOUT_S = 2.0


class NotReady(AppError):
    """The service cannot answer queries now: no database, or a schema at another revision."""

    status = 503
    title = "Service Unavailable"

    def __init__(self, detail: str, *, check: str) -> None:
        super().__init__(detail, extra={"check": check}, headers={"Retry-After": "5"})


@cache
def head_revision() -> str | None:
    """The newest migration this code ships (`alembic heads`)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _database_revision(session: Session) -> str | None:
    """The schema's revision; None when it has none (never migrated)."""
    return MigrationContext.configure(session.connection()).get_current_revision()


async def readiness(db: Database) -> str:
    """The database's revision when it answers and is at head; `NotReady` otherwise."""
    try:
        revision = await asyncio.wait_for(
            db.lookup(_database_revision), min(READINESS_TIMEOUT_S, db.budget_ms / 1000)
        )
    except TimeoutError:
        raise NotReady(
            f"the database did not answer within {READINESS_TIMEOUT_S:g} s", check="database"
        ) from None
    except AppError as exc:  # busy, overloaded, over the budget
        raise NotReady(f"the database cannot answer now: {exc.detail}", check="database") from None
    except Exception as exc:
        logger.warning("readiness: the database failed", exc_info=True)
        raise NotReady(
            f"the database is not reachable or has no schema ({type(exc).__name__}); see the "
            "server's log",
            check="database",
        ) from None
    head = head_revision()
    if revision is None:
        raise NotReady(
            f"the database has no schema, this code needs revision {head}: run "
            "`conflict-reports migrate`",
            check="migrations",
        )
    if revision != head:
        raise NotReady(
            f"the database schema is at revision {revision}, this code needs {head}: run "
            "`conflict-reports migrate`",
            check="migrations",
        )
    return revision
