"""Safe retries of `POST /v1/reports` with an `Idempotency-Key` (IETF draft
draft-ietf-httpapi-idempotency-key-header): a client that lost an answer sends the same request
again with the same key and gets the first answer back, never a second write.

- The key is the client's: any string of 1 to 255 visible ASCII characters (a UUID is usual),
  quoted as the draft's Structured Field string or bare. It is scoped to the API key that sent
  it: two clients never see each other's answers.
- The first request with a key records it (with a fingerprint of the method, path, query,
  media type and body) before it writes. A retry with the same fingerprint gets the stored
  answer (with `Idempotency-Replayed: true`); one with another body is a 422; one sent while
  the first still runs is a 409 with `Retry-After`.
- Answers are kept for `RETENTION` (24 hours), successes and refusals alike (a 422 stays a
  422). A transient refusal (the import lock was busy: 409 with `Retry-After`, a 429, a 5xx)
  is not kept: the retry runs again.
"""

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core.http.errors import AppError, BadRequest, Conflict, UnprocessableContent, problem
from app.core.query.sync import utc_now
from app.importer.lock import ImportLocked, take_import_lock
from app.models import IdempotencyRecord

logger = logging.getLogger("conflict_reports.idempotency")

HEADER = "idempotency-key"
RETENTION = dt.timedelta(hours=24)
# A request recorded as running for longer than this died without an answer (its process
# was killed): a retry takes its key over. Longer than any write may take under the lock.
LEASE = dt.timedelta(minutes=15)
# How long recording a key waits for an import that holds the write lock (seconds).
LOCK_WAIT_S = 10.0
# Kept of an answer: what a client needs to act on it again.
KEPT_HEADERS = ("content-type", "location", "etag")
_KEY = re.compile(r'"?([\x21\x23-\x7e]{1,255})"?')


@dataclass
class Ticket:
    """A first request with an idempotency key, recorded as running."""

    engine: Engine
    key_id: int
    key: str

    def record_in(self, conn: Connection, response: Response) -> None:
        """Keep `response` in `conn`'s transaction: the write's own, so that the answer is
        kept exactly when the write commits."""
        conn.execute(self._done(response))

    async def finish(self, response: Response) -> Response:
        """Keep `response` for the retries (or, when transient, forget the key). A failure
        to keep it leaves the key to its lease: the answer still goes out."""
        try:
            if _transient(response.status_code, response.headers.get("retry-after")):
                await self.forget()
            else:
                await anyio.to_thread.run_sync(self._store, response)
        except Exception:
            logger.warning("the answer to an idempotent request could not be kept")
        return response

    def _done(self, response: Response) -> Any:
        headers = [[n, response.headers[n]] for n in KEPT_HEADERS if n in response.headers]
        return (
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.key_id == self.key_id,
                IdempotencyRecord.idempotency_key == self.key,
            )
            .values(
                state="done",
                status=response.status_code,
                headers=headers,
                body=bytes(response.body),
            )
        )

    async def failed(self, error: BaseException) -> None:
        """The request ended in `error`: keep its problem, unless it may pass on a retry."""
        if not isinstance(error, AppError) or _transient(
            error.status, error.headers.get("Retry-After")
        ):
            await self.forget()
            return
        rendered = problem(
            error.status, error.detail, title=error.title, headers=error.headers, **error.extra
        )
        await self.finish(rendered)

    async def failed_quietly(self, error: BaseException) -> None:
        """`failed`, never raising: the request's own error is the one to answer."""
        try:
            with anyio.CancelScope(shield=True):
                await self.failed(error)
        except Exception:
            logger.warning("an idempotency key could not be released; its lease will")

    async def forget(self) -> None:
        # Shielded: a request cancelled (its client gone) still releases its key.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self._delete)

    def _store(self, response: Response) -> None:
        with _writing(self.engine) as conn:
            conn.execute(self._done(response))

    def _delete(self) -> None:
        with _writing(self.engine) as conn:
            conn.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.key_id == self.key_id,
                    IdempotencyRecord.idempotency_key == self.key,
                )
            )


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A short write transaction, under the import lock (on SQLite, the database's one write
    lock), waiting for an import that holds it for up to LOCK_WAIT_S."""
    with engine.begin() as conn:
        take_import_lock(conn, wait=LOCK_WAIT_S)
        yield conn


def _transient(status: int, retry_after: str | None) -> bool:
    return status >= 500 or status == 429 or (status == 409 and retry_after is not None)


def idempotency_key(request: Request) -> str | None:
    """The request's key, read and checked (a malformed one is a 400)."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    match = _KEY.fullmatch(raw.strip())
    if match is None:
        raise BadRequest(
            "Idempotency-Key is 1 to 255 visible ASCII characters (a UUID, say), quoted or "
            "bare; this one is not",
            extra={"errors": [{"in": "header", "name": "Idempotency-Key", "detail": "malformed"}]},
        )
    return match.group(1)


def fingerprint(method: str, path: str, query: str, media_type: str, body: str) -> str:
    """What makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method, path, query, media_type, body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _begin(engine: Engine, key_id: int, key: str, print_: str) -> dict[str, Any] | None:
    """Record the key as running (None), or give the record a retry finds."""
    now = utc_now()
    with _writing(engine) as conn:
        conn.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now))
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(IdempotencyRecord).values(
                        key_id=key_id,
                        idempotency_key=key,
                        fingerprint=print_,
                        state="running",
                        created_at=now,
                        expires_at=now + RETENTION,
                    )
                )
            return None
        except IntegrityError:
            row = conn.execute(
                select(IdempotencyRecord.__table__).where(
                    IdempotencyRecord.key_id == key_id,
                    IdempotencyRecord.idempotency_key == key,
                )
            ).first()
            assert row is not None
            found = dict(row._mapping)
            if found["state"] == "running" and found["created_at"] <= now - LEASE:
                # Its request died unanswered: this one takes the key over.
                conn.execute(
                    update(IdempotencyRecord)
                    .where(
                        IdempotencyRecord.key_id == key_id,
                        IdempotencyRecord.idempotency_key == key,
                    )
                    .values(fingerprint=print_, created_at=now, expires_at=now + RETENTION)
                )
                return None
            return found


async def begin(
    request: Request, engine: Engine, key_id: int, body: str
) -> Ticket | Response | None:
    """Before a POST writes: None (no key sent), a Ticket (the first request with its key:
    finish it), or the stored answer to replay. Raises the draft's 422 and 409."""
    key = idempotency_key(request)
    if key is None:
        return None
    print_ = await anyio.to_thread.run_sync(
        fingerprint,
        request.method,
        request.url.path,
        request.url.query,
        request.headers.get("content-type", ""),
        body,
    )
    try:
        found = await anyio.to_thread.run_sync(_begin, engine, key_id, key, print_)
    except ImportLocked:
        raise Conflict(
            "another import is running; nothing was written: try again shortly",
            headers={"Retry-After": "5"},
        ) from None
    if found is None:
        return Ticket(engine=engine, key_id=key_id, key=key)
    if found["fingerprint"] != print_:
        raise UnprocessableContent(
            "this Idempotency-Key was used with another request (another body, address or "
            "media type); nothing was written: use a new key for a new request",
            extra={
                "errors": [
                    {
                        "in": "header",
                        "name": "Idempotency-Key",
                        "detail": "used for another request",
                    }
                ]
            },
        )
    if found["state"] != "done":
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly to "
            "get its answer",
            headers={"Retry-After": "1"},
        )
    headers = {str(name): str(value) for name, value in found["headers"] or []}
    headers["Idempotency-Replayed"] = "true"
    media_type = headers.pop("content-type", None)
    return Response(
        content=found["body"] or b"",
        status_code=int(found["status"]),
        headers=headers,
        media_type=media_type,
    )
