import datetime as dt
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.actor import Actor
from app.models.base import Base, Slug, UTCDateTime, Vocab
from app.models.location import Location


class Claim(Base):
    """An attributed statement: who said what, when, through which channel, in which words."""

    __tablename__ = "claim"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    # Every claim has a claimant (the report's outlet where the report itself asserts the
    # thing): the importer requires one. The column stays nullable because making it NOT NULL
    # would rebuild the table on SQLite.
    claimant_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    quote: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Vocab)
    # A value of ClaimChannel (String(200) from the free-text days: no table rebuild).
    channel: Mapped[str] = mapped_column(String(200))
    # The outlet it was said to or published in (Reuters for an interview with Reuters).
    venue_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"), index=True)
    stated_on: Mapped[date | None] = mapped_column(Date)
    # Last day of the period `stated_on` stands for (its month, year or decade), for range queries.
    stated_until: Mapped[date | None] = mapped_column(Date)
    stated_on_precision: Mapped[str | None] = mapped_column(Vocab)
    stated_on_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Vocab)
    # Derived, kept by the importer in the transaction that writes the links and quantities
    # (app.importer.derived): `contested` and `has_quantity` filters become index ranges.
    contested: Mapped[bool] = mapped_column(Boolean, server_default=false())
    has_quantity: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    claimant: Mapped[Actor | None] = relationship(foreign_keys=[claimant_id], lazy="raise")
    venue: Mapped[Actor | None] = relationship(foreign_keys=[venue_id], lazy="raise")
    actor_links: Mapped[list["ClaimActor"]] = relationship(
        lazy="raise", order_by="ClaimActor.position"
    )
    location_links: Mapped[list["ClaimLocation"]] = relationship(
        lazy="raise", order_by="ClaimLocation.position"
    )
    quantities: Mapped[list["ClaimQuantity"]] = relationship(
        lazy="raise", order_by="ClaimQuantity.position"
    )

    # Each filter leads an index that ends in the id, so a filtered page in id order (the
    # default sort, and the keyset tie-breaker) is one index range scan.
    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
        CheckConstraint(
            "(stated_on IS NULL) = (stated_on_precision IS NULL)", name="stated_on_precision"
        ),
        Index("ix_claim_report_id_id", "report_id", "id"),
        Index("ix_claim_claimant_id_id", "claimant_id", "id"),
        Index("ix_claim_kind_id", "kind", "id"),
        Index("ix_claim_status_id", "status", "id"),
        Index("ix_claim_channel_id", "channel", "id"),
        Index("ix_claim_stated_on_id", "stated_on", "id"),
        Index("ix_claim_stated_until", "stated_until"),
        # Covers the date-range filter (one range per precision, then the period's end) and
        # gives the id for the keyset order: no table lookups for the candidates.
        Index("ix_claim_period", "stated_on_precision", "stated_on", "stated_until", "id"),
        Index("ix_claim_contested_id", "contested", "id"),
        # Covers the facets of one claimant (the commonest facet filter): index-only counts.
        Index(
            "ix_claim_claimant_facets",
            "claimant_id",
            "kind",
            "status",
            "channel",
            "stated_on_precision",
            "stated_on",
        ),
        Index("ix_claim_has_quantity_id", "has_quantity", "id"),
        Index("ix_claim_updated_at_id", "updated_at", "id"),
    )


class ClaimActor(Base):
    __tablename__ = "claim_actor"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    actor: Mapped[Actor] = relationship(lazy="raise")

    __table_args__ = (Index("ix_claim_actor_actor_id_claim_id", "actor_id", "claim_id"),)


class ClaimLocation(Base):
    __tablename__ = "claim_location"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[str] = mapped_column(ForeignKey("location.id"), primary_key=True)
    role: Mapped[str] = mapped_column(Vocab)
    position: Mapped[int] = mapped_column(Integer)

    location: Mapped[Location] = relationship(lazy="raise")

    __table_args__ = (Index("ix_claim_location_location_id_claim_id", "location_id", "claim_id"),)


class ClaimQuantity(Base):
    """A number a claim states: value, unit, what is counted, and how exact the claimant was."""

    __tablename__ = "claim_quantity"

    claim_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(80))
    counted: Mapped[str] = mapped_column(String(200))
    qualifier: Mapped[str] = mapped_column(Vocab)
    # The words the number was read from ("hundreds of fighters", "more than 6,000").
    text: Mapped[str | None] = mapped_column(Text)


class ClaimLink(Base):
    """A directed link between two claims: `source` contradicts / supports / restates `target`.

    Contradictions whose `note` is DERIVED_NOTE are the importer's: a restatement
    carries the contradictions of the claim it restates (app.importer.derived)."""

    __tablename__ = "claim_link"

    source_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[str] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(Vocab, primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("source_id <> target_id", name="not_self"),
        Index("ix_claim_link_target_id_kind_source_id", "target_id", "kind", "source_id"),
        Index("ix_claim_link_kind_source_id", "kind", "source_id"),
        Index("ix_claim_link_kind_target_id", "kind", "target_id"),
    )
