import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class AuditEntry(Base):
    """One write of one report, by HTTP or the command line: who, what, the counts, and the
    report's version (a hash of its bundle) before and after. Never updated, never deleted."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # create | replace | delete | import (the command line's `seed`)
    action: Mapped[str] = mapped_column(String(10))
    report_id: Mapped[str] = mapped_column(String(120))
    # The API key that wrote (its id and name then), or none and `cli` for the command line.
    key_id: Mapped[int | None] = mapped_column(Integer)
    key_name: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    # Per entity: inserted, updated, unchanged, removed.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    before_version: Mapped[str | None] = mapped_column(String(64))
    after_version: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entry_report_id_id", "report_id", "id"),
        Index("ix_audit_entry_key_id_id", "key_id", "id"),
    )


class IdempotencyRecord(Base):
    """A POST sent with an `Idempotency-Key`: its body's fingerprint and, once answered, the
    answer, replayed to a retry. Kept until `expires_at` (at least 24 hours)."""

    __tablename__ = "idempotency_record"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # running | done
    state: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[list[Any] | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
