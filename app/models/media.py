from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, Vocab
from app.models.location import Location


class Media(Base):
    """A photo, video, map or tweet the report shows, with its caption verbatim."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(Vocab, index=True)
    caption: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    posted_by_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"), index=True)
    credit: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(80), index=True)
    posted_on: Mapped[date | None] = mapped_column(Date, index=True)
    posted_until: Mapped[date | None] = mapped_column(Date)
    posted_on_precision: Mapped[str | None] = mapped_column(Vocab)
    posted_on_text: Mapped[str | None] = mapped_column(Text)
    claim_id: Mapped[str | None] = mapped_column(
        ForeignKey("claim.id", ondelete="SET NULL"), index=True
    )

    posted_by: Mapped[Actor | None] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint(
            "(posted_on IS NULL) = (posted_on_precision IS NULL)", name="posted_on_precision"
        ),
    )


class MediaActor(Base):
    __tablename__ = "media_actor"

    media_id: Mapped[str] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")


class MediaLocation(Base):
    __tablename__ = "media_location"

    media_id: Mapped[str] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)

    location: Mapped[Location] = relationship(lazy="raise")
