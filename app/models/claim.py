from datetime import date

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, Vocab
from app.models.location import Location


class Claim(Base):
    """An attributed statement: who said what, when, through which channel, in which words."""

    __tablename__ = "claim"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    # NULL only where the report itself asserts the thing.
    claimant_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"), index=True)
    quote: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Vocab, index=True)
    channel: Mapped[str] = mapped_column(String(200), index=True)
    stated_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Last day of the period `stated_on` stands for (its month, year or decade), for range queries.
    stated_until: Mapped[date | None] = mapped_column(Date, index=True)
    stated_on_precision: Mapped[str | None] = mapped_column(Vocab)
    stated_on_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Vocab, index=True)

    claimant: Mapped[Actor | None] = relationship(lazy="raise")
    actor_links: Mapped[list["ClaimActor"]] = relationship(
        lazy="raise", order_by="ClaimActor.position"
    )
    location_links: Mapped[list["ClaimLocation"]] = relationship(
        lazy="raise", order_by="ClaimLocation.position"
    )
    quantities: Mapped[list["ClaimQuantity"]] = relationship(
        lazy="raise", order_by="ClaimQuantity.position"
    )

    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint(
            "(stated_on IS NULL) = (stated_on_precision IS NULL)", name="stated_on_precision"
        ),
    )


class ClaimActor(Base):
    __tablename__ = "claim_actor"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")


class ClaimLocation(Base):
    __tablename__ = "claim_location"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    location: Mapped[Location] = relationship(lazy="raise")


class ClaimQuantity(Base):
    """A number a claim states: value, unit, what is counted, and how exact the claimant was."""

    __tablename__ = "claim_quantity"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float] = mapped_column(Float, index=True)
    unit: Mapped[str] = mapped_column(String(80))
    counted: Mapped[str] = mapped_column(String(200))
    qualifier: Mapped[str] = mapped_column(Vocab)
    # The words the number was read from ("hundreds of fighters", "more than 6,000").
    text: Mapped[str | None] = mapped_column(Text)


class ClaimLink(Base):
    """A directed link between two claims: `source` contradicts / supports `target`."""

    __tablename__ = "claim_link"

    source_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(Vocab, primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("source_id <> target_id", name="not_self"),)
