"""API keys: made, listed and revoked by the CLI (`conflict-reports keys`), looked up by the
API (`DatabaseKeyStore`, the kit's `KeyStore`). The key is shown once, when it is made; the
database holds its SHA-256 only."""

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.core.db.engine import Database
from app.core.db.replicas import reading_from_primary
from app.core.http.auth import KeyRefused, Principal, Scope, key_hash, key_hint, new_key
from app.models import ApiKey

logger = logging.getLogger(__name__)

MAX_EXPIRY_DAYS = 3650
MAX_NAME_LENGTH = 100  # api_key.name
# A key's `last_used_at` is written at most this often (seconds) by one worker: a key in use
# costs one small write a minute, not one per request.
LAST_USED_EVERY_S = 60.0


class KeyCommandRefused(ValueError):
    """A key operation the CLI refuses (a name taken, a key unknown), with what to do."""


@dataclass(frozen=True)
class KeyInfo:
    """What `keys list` shows of a key (never the key itself)."""

    id: int
    name: str
    scope: str
    hint: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    own_reports_only: bool = False

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_key(
    engine: Engine,
    *,
    name: str,
    scope: Scope,
    expires_days: int | None = None,
    own_reports_only: bool = False,
) -> tuple[KeyInfo, str]:
    """A new key named `name`: its record, and the key (to show once). `own_reports_only`:
    a write key that may replace and delete only the reports it created."""
    name = name.strip()
    if not name:
        raise KeyCommandRefused("a key needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise KeyCommandRefused(f"a key's name is at most {MAX_NAME_LENGTH} characters")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise KeyCommandRefused(f"--expires is a number of days from 1 to {MAX_EXPIRY_DAYS}")
    if own_reports_only and scope is not Scope.write:
        raise KeyCommandRefused("--own-reports-only limits a write key; this key is " + scope.value)
    key = new_key()
    now = _now()
    row = ApiKey(
        name=name,
        scope=scope.value,
        hint=key_hint(key),
        secret_hash=key_hash(key),
        created_at=now,
        expires_at=None if expires_days is None else now + dt.timedelta(days=expires_days),
        own_reports_only=own_reports_only,
    )
    with Session(engine) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            raise KeyCommandRefused(
                f"a key named '{name}' exists already: choose another name, or revoke it"
            ) from None
        return _info(row), key


def list_keys(engine: Engine) -> list[KeyInfo]:
    with Session(engine) as session:
        return [_info(row) for row in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(engine: Engine, *, name: str) -> KeyInfo:
    """Revoke the key named `name` (at once, for every worker: each request looks its key up)."""
    with Session(engine) as session:
        row = session.scalars(select(ApiKey).where(ApiKey.name == name)).first()
        if row is None:
            known = ", ".join(session.scalars(select(ApiKey.name).order_by(ApiKey.name)))
            listed = f" (keys: {known})" if known else ""
            raise KeyCommandRefused(f"no key named '{name}'{listed}")
        if row.revoked_at is None:
            row.revoked_at = _now()
            session.commit()
        return _info(row)


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        scope=row.scope,
        hint=row.hint,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        own_reports_only=row.own_reports_only,
    )


def _principal_of(session: Session, hashed: str) -> Principal | None:
    row = session.execute(
        select(
            ApiKey.id,
            ApiKey.name,
            ApiKey.scope,
            ApiKey.expires_at,
            ApiKey.revoked_at,
            ApiKey.own_reports_only,
        ).where(ApiKey.secret_hash == hashed)
    ).first()
    if row is None:
        return None
    key_id, name, scope, expires_at, revoked_at, own_only = row
    if revoked_at is not None:
        raise KeyRefused(f"'{name}' was revoked")
    if expires_at is not None and expires_at <= _now():
        raise KeyRefused(f"'{name}' has expired")
    return Principal(key_id=key_id, name=name, scope=Scope(scope), own_only=bool(own_only))


class DatabaseKeyStore:
    """The API's key lookup: one indexed read on the lookup lane (never behind heavy list
    queries), and `last_used_at` written in the background at most once a minute per key."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._written: dict[int, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def principal(self, hashed: str) -> Principal | None:
        # On the primary: a key revoked a moment ago is refused at once, replicas or not.
        with reading_from_primary():
            principal = await self.database.lookup(_principal_of, hashed)
        if principal is None:
            return None
        now = time.monotonic()
        if now - self._written.get(principal.key_id, -LAST_USED_EVERY_S) >= LAST_USED_EVERY_S:
            self._written[principal.key_id] = now
            task = asyncio.create_task(self._mark_used(principal.key_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return principal

    async def _mark_used(self, key_id: int) -> None:
        try:
            await asyncio.to_thread(_write_last_used, self.database.engine, key_id)
        except SQLAlchemyError as exc:  # best effort: a busy database skips one mark
            logger.debug("last_used_at of key %s not written: %s", key_id, exc)


def _write_last_used(engine: Engine, key_id: int) -> None:
    with Session(engine) as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=_now()))
        session.commit()
