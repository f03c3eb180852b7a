"""Incremental sync, shared by every collection: when items changed and what disappeared.

Every item row carries `updated_at` (UTC, to the microsecond), stamped by the importer when it
inserts the row or when what the item says changes. The API writes it as RFC 3339 with six
fraction digits and `Z` (`2021-09-01T00:00:00.000000Z`) on every engine. `updated_since=`
filters every collection (one condition, applied by the shared listing code), and the
`deletion` table, listed by `GET /v1/deleted`, says which ids an import removed and when.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core.db.dialect import rfc3339_text
from app.core.http.responses import FastJSONResponse

# The time seeds are stamped with where answers must be reproducible: the test databases
# and the OpenAPI examples (`make examples`). `conflict-reports seed` stamps the real time.
FIXED_TIME = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)

UPDATED_SINCE_DESCRIPTION = (
    "Only items that changed (were created or edited) at or after this moment: an RFC 3339 "
    "date and time with its zone (`2021-09-01T00:00:00Z`, `2021-09-01T04:30:00+04:30`). For "
    "incremental sync: ask with the time of your last sync, page with `sort=updated_at`, and "
    "ask `GET /v1/deleted?since=` for what disappeared."
)
UPDATED_AT_DESCRIPTION = (
    "When the item last changed (UTC, RFC 3339 to the microsecond): it moves when the item's "
    "own fields change, or the rows it owns (a claim's actors, places, quantities and links, "
    "and links other claims make to it; an actor's relations; a media item's actors and "
    "places; an event's actors and claims). A change in an item it only names (an actor's "
    "name in a claim's `claimant`) moves that item's own `updated_at`."
)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; ValueError for a naive one or one outside the years 1-9999 in UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("needs a time zone (Z or ±HH:MM)")
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("lies outside the years 1 to 9999 in UTC") from None


def rfc3339(moment: dt.datetime) -> str:
    """`2021-09-01T00:00:00.000000Z`: the same text on every engine (written for every item of
    every page: `isoformat` is the fast way)."""
    if moment.tzinfo is not dt.UTC:
        moment = as_utc(moment)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def updated_at_column(model: Any) -> Any:
    """The `updated_at` column of an item's statement, as the API's text."""
    return rfc3339_text(model.updated_at).label("updated_at")


def http_date(moment: dt.datetime) -> str:
    """An HTTP-date (RFC 9110: `Wed, 01 Sep 2021 00:00:00 GMT`), to the second."""
    return format_datetime(as_utc(moment).replace(microsecond=0), usegmt=True)


class UpdatedSinceMixin(BaseModel):
    """`updated_since`, shared by every collection's list and facets parameters."""

    updated_since: dt.datetime | None = Field(
        default=None, description=UPDATED_SINCE_DESCRIPTION, examples=["2021-09-01T00:00:00Z"]
    )

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else as_utc(value)


def updated_at_of(id_column: Any) -> Any:
    """The `updated_at` column of the table whose id column is `id_column`."""
    return id_column.table.c.updated_at


def since_filter(params: Any, id_column: Any) -> list[ColumnElement[bool]]:
    """`updated_at >= updated_since` when the request gives one (its params model), else none."""
    since = getattr(params, "updated_since", None)
    if since is None:
        return []
    return [updated_at_of(id_column) >= since]


# The header of the routes that send one, as the OpenAPI document states it.
LAST_MODIFIED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "Last-Modified": {
                "description": "When the data last changed (the newest `updated_at` or "
                "deletion of any item, as an HTTP-date rounded up to the second): an item's "
                "answer shows other items too (a claim's claimant, an actor's claims), which "
                "change without moving the item's own `updated_at`, so only the database's "
                "last change is a time before which the answer is sure to be the same. The "
                "item's own time is its `updated_at` field.",
                "schema": {"type": "string", "examples": ["Wed, 01 Sep 2021 00:00:00 GMT"]},
            }
        }
    }
}

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class DataChanges:
    """Where the data's changes are written down: the `updated_at` column of every
    collection's table, by collection name (in a fixed order), and the deletion log's time
    column. The catalog makes the one instance; the app hands it to its `Database`."""

    updated: Sequence[tuple[str, Any]]
    deleted: Any
    # The newest `updated_at` of every item table and the newest deletion, in one statement
    # (one round trip: an index-only lookup each).
    newest: Any = field(init=False)

    def __post_init__(self) -> None:
        newest = select(
            *(
                select(func.max(column)).scalar_subquery().label(name)
                for name, column in self.updated
            ),
            select(func.max(self.deleted)).scalar_subquery().label("deleted"),
        )
        object.__setattr__(self, "newest", newest)

    def last_change(self, session: Session) -> dt.datetime | None:
        """The newest `updated_at` of any item and the newest deletion (None: no data)."""
        moments = session.execute(self.newest).one()
        known = [as_utc(moment) for moment in moments if moment is not None]
        return max(known) if known else None

    def version(self, session: Session) -> str:
        """A short token that changes whenever any item or deletion changes (every import
        stamps what it changes with its own, later time): the newest `updated_at` of every
        item table, and the deletion log's newest time and size. Index-only lookups; the same
        on every engine for the same data."""
        newest = session.execute(self.newest).one()
        deletions = session.scalar(select(func.count()).select_from(self.deleted.table))
        names = [name for name, _ in self.updated]
        parts = [
            f"{name}={'' if moment is None else rfc3339(moment)}"
            for name, moment in zip([*names, "deleted"], newest, strict=True)
        ]
        parts[-1] += f"/{deletions}"
        return hashlib.sha256("|".join(parts).encode("ascii")).hexdigest()[:20]


def with_last_change(
    work: Callable[Concatenate[Session, P], T], changes: DataChanges
) -> Callable[Concatenate[Session, P], tuple[T, dt.datetime | None]]:
    """`work`, answering also the data's last change, read BEFORE `work` in the same call:
    an import committed in between makes the time older than the answer, never newer, so a
    client is never told "not modified" about a change it has not seen."""

    def found(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> tuple[T, Any]:
        changed = changes.last_change(session)
        return work(session, *args, **kwargs), changed

    return found


def last_modified(moment: dt.datetime | None) -> dict[str, str]:
    """The `Last-Modified` header for `moment`, rounded UP to the second (an HTTP-date has no
    fraction: rounding down would date the data before its last change)."""
    if moment is None:
        return {}
    moment = as_utc(moment)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
    return {"Last-Modified": http_date(moment)}


def item_response(found: tuple[dict[str, Any], dt.datetime | None]) -> FastJSONResponse:
    """An item's JSON (from a `with_last_change` call), with `Last-Modified`."""
    item, changed = found
    return FastJSONResponse(item, headers=last_modified(changed))
