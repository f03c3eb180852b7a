"""PostgreSQL: every text column in code point order (COLLATE "C"), as on SQLite

SQLite compares text by its UTF-8 bytes, which is Unicode code point order. PostgreSQL
compares by the database's collation (en_US.UTF-8 puts "b" before "C" and ignores
punctuation), so sorts, keyset cursors and facet ties would differ between the engines on
such a server. Declaring the columns "C" gives code point order on every server, and the
indexes are rebuilt in that order, so sorted pages stay index scans. The full-text source
(`search_document.content` and `terms`) is never sorted and keeps the database's collation.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Never sorted or compared for order (and `terms` feeds the stored tsvector, whose source
# column cannot change type).
UNSORTED = {("search_document", "content"), ("search_document", "terms")}

TEXT_COLUMNS = text(
    "SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length"
    " FROM information_schema.columns AS c"
    " JOIN information_schema.tables AS t"
    " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
    " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    " AND c.data_type IN ('character varying', 'text') AND c.is_generated = 'NEVER'"
    " AND c.table_name <> 'alembic_version'"
    " ORDER BY c.table_name, c.ordinal_position"
)


def _collate(collation: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column, data_type, length in bind.execute(TEXT_COLUMNS).all():
        if (table, column) in UNSORTED:
            continue
        sql_type = "text" if data_type == "text" else f"varchar({length})"
        op.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {sql_type} COLLATE {collation}'
        )


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('pg_catalog."default"')
