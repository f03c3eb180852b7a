import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, Vocab
from app.models.location import Location


class Event(Base):
    """Something that happened, coded ACLED-style, with fatalities as UCDP publishes them."""

    __tablename__ = "event"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(60), index=True)
    sub_event_type: Mapped[str] = mapped_column(String(60), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    date_until: Mapped[dt.date] = mapped_column(Date, index=True)
    date_precision: Mapped[str] = mapped_column(Vocab)
    date_text: Mapped[str | None] = mapped_column(Text)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), index=True)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_best: Mapped[int | None] = mapped_column(Integer, index=True)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)

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
    )


class EventActor(Base):
    __tablename__ = "event_actor"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")


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
