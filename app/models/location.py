import datetime as dt
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JsonList, Slug, UTCDateTime, Vocab


class Location(Base):
    """A place, in WGS84, with an honest precision and its parent in the hierarchy."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(Vocab)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(Vocab)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"))
    country_code: Mapped[str | None] = mapped_column(String(2))
    aliases: Mapped[list[str]] = mapped_column(JsonList)
    description: Mapped[str | None] = mapped_column(Text)
    # When the item last changed: stamped by the importer, asked for by sync clients.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The report whose bundle declares the place and may change it (see Actor.declared_by).
    declared_by: Mapped[str | None] = mapped_column(String(120))

    parent: Mapped[Optional["Location"]] = relationship(remote_side=[id], lazy="raise")

    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_range"
        ),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_pair"),
        Index("ix_location_kind_id", "kind", "id"),
        Index("ix_location_parent_id_id", "parent_id", "id"),
        Index("ix_location_country_code_id", "country_code", "id"),
        Index("ix_location_latitude_longitude", "latitude", "longitude"),
        Index("ix_location_updated_at_id", "updated_at", "id"),
    )
