"""Who writes: every import and deletion leaves one audit entry per report, in its own
transaction (app.models.audit), with the report's version before and after."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, insert

from app.importer.changes import EntityChanges
from app.models import AuditEntry

# The name an entry gives for a write from the command line (no key).
CLI_NAME = "cli"


@dataclass(frozen=True, slots=True)
class Author:
    """Who asked for a write: an API key (its id and name) or the command line; with the
    request's id and idempotency key where it came over HTTP."""

    key_id: int | None = None
    key_name: str = CLI_NAME
    request_id: str | None = None
    idempotency_key: str | None = None
    # A key that may replace and delete only the reports it created.
    own_reports_only: bool = False


COMMAND_LINE = Author()


def record_write(
    conn: Connection,
    *,
    author: Author,
    action: str,
    report_id: str,
    changes: Mapping[str, EntityChanges],
    before: str | None,
    after: str | None,
    now: dt.datetime,
) -> None:
    conn.execute(
        insert(AuditEntry).values(
            at=now,
            action=action,
            report_id=report_id,
            key_id=author.key_id,
            key_name=author.key_name,
            request_id=author.request_id,
            idempotency_key=author.idempotency_key,
            changes={
                name: {
                    "inserted": counted.inserted,
                    "updated": counted.updated,
                    "unchanged": counted.unchanged,
                    "removed": counted.removed,
                }
                for name, counted in changes.items()
            },
            before_version=before,
            after_version=after,
        )
    )
