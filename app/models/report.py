import datetime as dt
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JsonList, Slug, UTCDateTime


class Report(Base):
    """A source document, its text kept verbatim: every span points into `body`."""

    __tablename__ = "report"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    headline: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))
    # The publisher as an actor (a media outlet): the claimant of what the report asserts.
    publisher_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"), index=True)
    publisher_note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date] = mapped_column(Date, index=True)
    published_on_note: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    summary: Mapped[list[str]] = mapped_column(JsonList)
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(300))
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The API key that created the report over HTTP (none: the command line): a key limited
    # to its own reports may replace and delete only these.
    created_by_key_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("length(body_sha256) = 64", name="sha256_length"),
        Index("ix_report_updated_at_id", "updated_at", "id"),
    )


class ReportActor(Base):
    """The actors a report declares or refers to."""

    __tablename__ = "report_actor"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(
        ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ReportLocation(Base):
    """The locations a report declares or refers to, with their ancestors."""

    __tablename__ = "report_location"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), primary_key=True, index=True
    )
