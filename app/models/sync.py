import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Slug, UTCDateTime


class Deletion(Base):
    """An item an import removed: what it was (its collection and id) and when.

    At most one record per item: an import that creates the id again removes its record
    (the item is back, listed by `updated_since`), so the log lists only ids that are gone."""

    __tablename__ = "deletion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The collection's name, as in its path: claims, actors, locations, events, media, reports.
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(Slug)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_deletion_entity_type_entity_id", "entity_type", "entity_id", unique=True),
        # `since` (and the listing's order): one index range, in the served order.
        Index("ix_deletion_deleted_at", "deleted_at", "entity_type", "entity_id"),
    )
