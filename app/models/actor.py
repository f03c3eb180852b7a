import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JsonList, Slug, UTCDateTime, Vocab


class Actor(Base):
    """A person, group, state, institution or outlet that takes part in or speaks about events."""

    __tablename__ = "actor"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(Vocab)
    aliases: Mapped[list[str]] = mapped_column(JsonList)
    description: Mapped[str | None] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(String(200))
    nationality: Mapped[str | None] = mapped_column(String(100))
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The report whose bundle declares the actor and may change it (another report's bundle
    # may declare it only as it stands); none: no report holds it, the next to declare does.
    declared_by: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        Index("ix_actor_kind_id", "kind", "id"),
        Index("ix_actor_updated_at_id", "updated_at", "id"),
    )


class ActorRelation(Base):
    """A typed, directed relation (`subject` `kind` `object`), with the words that support it."""

    __tablename__ = "actor_relation"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    kind: Mapped[str] = mapped_column(Vocab)
    object_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    quote: Mapped[str] = mapped_column(Text)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)

    subject: Mapped[Actor] = relationship(foreign_keys=[subject_id], lazy="raise")
    object: Mapped[Actor] = relationship(foreign_keys=[object_id], lazy="raise")

    __table_args__ = (
        CheckConstraint("span_start >= 0 AND span_end > span_start", name="span_order"),
    )
