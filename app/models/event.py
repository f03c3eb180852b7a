import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, UTCDateTime, Vocab
from app.models.location import Location


class Event(Base):
    """Something that happened, coded ACLED-style, with fatalities as UCDP publishes them."""

    __tablename__ = "event"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(60))
    date: Mapped[dt.date] = mapped_column(Date)
    date_until: Mapped[dt.date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(Vocab)
    date_text: Mapped[str | None] = mapped_column(Text)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"))
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    location: Mapped[Location | None] = relationship(lazy="raise")
    actor_links: Mapped[list["EventActor"]] = relationship(
        lazy="raise", order_by="EventActor.position"
    )

    __table_args__ = (
        CheckConstraint(
            "(fatalities_low IS NULL OR fatalities_low >= 0)"
            " AND (fatalities_best IS NULL OR fatalities_best >= 0)"
            " AND (fatalities_high IS NULL OR fatalities_high >= 0)",
            name="fatalities_non_negative",
        ),
        Index("ix_event_report_id_id", "report_id", "id"),
        Index("ix_event_event_type_id", "event_type", "id"),
        Index("ix_event_sub_event_type_id", "sub_event_type", "id"),
        Index("ix_event_location_id_id", "location_id", "id"),
        Index("ix_event_date_id", "date", "id"),
        Index("ix_event_date_until", "date_until"),
        Index("ix_event_updated_at_id", "updated_at", "id"),
        Index("ix_event_period", "date_precision", "date", "date_until", "id"),
        Index("ix_event_fatalities_best_id", "fatalities_best", "id"),
    )


class EventActor(Base):
    __tablename__ = "event_actor"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")

    __table_args__ = (Index("ix_event_actor_actor_id_event_id", "actor_id", "event_id"),)


class EventClaim(Base):
    """A claim that reports the event."""

    __tablename__ = "event_claim"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
