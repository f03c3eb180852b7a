from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Slug, Vocab


class SearchDocument(Base):
    """The searchable text of one entity (name and aliases, quote and statement, caption …).

    Full-text indexes over it are engine-specific and made by the migration: an FTS5 table
    kept in step by triggers on SQLite; on PostgreSQL a stored generated column `search_tsv`
    (`to_tsvector('english', content)`) with a GIN index.
    """

    __tablename__ = "search_document"

    entity_type: Mapped[str] = mapped_column(Vocab, primary_key=True)
    entity_id: Mapped[str] = mapped_column(Slug, primary_key=True)
    # The report that owns the entity; NULL for actors and locations, which reports share.
    report_id: Mapped[str | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_search_document_report_id", "report_id"),)
