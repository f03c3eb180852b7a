import datetime as dt
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, UTCDateTime, Vocab
from app.models.location import Location


class Media(Base):
    """A photo, video, map or tweet the report shows, with its caption verbatim."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Vocab)
    caption: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    posted_by_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    credit: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(80))
    posted_on: Mapped[date | None] = mapped_column(Date)
    posted_until: Mapped[date | None] = mapped_column(Date)
    posted_on_precision: Mapped[str | None] = mapped_column(Vocab)
    posted_on_text: Mapped[str | None] = mapped_column(Text)
    claim_id: Mapped[str | None] = mapped_column(
        ForeignKey("claim.id", ondelete="SET NULL"), index=True
    )
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    posted_by: Mapped[Actor | None] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint(
            "(posted_on IS NULL) = (posted_on_precision IS NULL)", name="posted_on_precision"
        ),
        Index("ix_media_report_id_id", "report_id", "id"),
        Index("ix_media_kind_id", "kind", "id"),
        Index("ix_media_posted_by_id_id", "posted_by_id", "id"),
        Index("ix_media_platform_id", "platform", "id"),
        Index("ix_media_posted_on_id", "posted_on", "id"),
        Index("ix_media_posted_until", "posted_until"),
        Index("ix_media_period", "posted_on_precision", "posted_on", "posted_until", "id"),
        Index("ix_media_updated_at_id", "updated_at", "id"),
    )


class MediaActor(Base):
    __tablename__ = "media_actor"

    media_id: Mapped[str] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")

    __table_args__ = (Index("ix_media_actor_actor_id_media_id", "actor_id", "media_id"),)


class MediaLocation(Base):
    __tablename__ = "media_location"

    media_id: Mapped[str] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    location: Mapped[Location] = relationship(lazy="raise")

    __table_args__ = (Index("ix_media_location_location_id_media_id", "location_id", "media_id"),)
