from sqlalchemy import ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Slug, Vocab


class SearchDocument(Base):
    """The searchable text of one entity (name and aliases, quote and statement, caption …).

    `terms` is its token stream, made in Python by `app.core.query.search_language` (folded,
    stemmed, stop words out), each token wrapped in bars: `|taliban| |claim| |surround|`;
    `term_count` is how many. Full-text indexes over `terms` are engine-specific and made by
    the migrations: an FTS5 table kept in step by triggers on SQLite; on PostgreSQL a stored
    generated column `search_tsv` (the tokens with their positions) with a GIN index.
    """

    __tablename__ = "search_document"

    entity_type: Mapped[str] = mapped_column(Vocab, primary_key=True)
    entity_id: Mapped[str] = mapped_column(Slug, primary_key=True)
    # The report that owns the entity; NULL for actors and locations, which reports share.
    report_id: Mapped[str | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text, server_default="")
    term_count: Mapped[int] = mapped_column(Integer, server_default="0")

    __table_args__ = (Index("ix_search_document_report_id", "report_id"),)
