from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class FacetCount(Base):
    """Facet counts over a whole collection, kept by the importer in the transaction that
    changes the data: an unfiltered facet request reads these instead of counting millions
    of rows. `position` is the served order (most frequent first; months newest first);
    the facet `_total` holds the collection's size."""

    __tablename__ = "facet_count"

    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    facet: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
