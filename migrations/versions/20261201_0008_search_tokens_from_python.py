"""Search tokens from Python: both engines index the same token stream

`search_document` gets `terms` (the tokens of `content` made by `app.core.query.search_language`,
each wrapped in bars: `|taliban| |claim|`) and `term_count`, filled here for the rows there
are. SQLite's FTS5 table indexes `terms` with a plain tokenizer instead of stemming `content`
with porter; PostgreSQL's stored `search_tsv` is built from `terms` with positions, as quoted
lexemes (no text parser, no dictionary), instead of `to_tsvector('english', content)`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.query.search_language import index_terms

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = ("search_fts_insert", "search_fts_delete", "search_fts_update")


def _sqlite_full_text(column: str, tokenize: str) -> list[str]:
    return [
        f"""CREATE VIRTUAL TABLE search_fts USING fts5(
            {column}, content='search_document', content_rowid='rowid',
            tokenize='{tokenize}'
        )""",
        f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN
            INSERT INTO search_fts(rowid, {column}) VALUES (new.rowid, new.{column});
        END""",
        f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN
            INSERT INTO search_fts(search_fts, rowid, {column})
            VALUES ('delete', old.rowid, old.{column});
        END""",
        f"""CREATE TRIGGER search_fts_update AFTER UPDATE ON search_document BEGIN
            INSERT INTO search_fts(search_fts, rowid, {column})
            VALUES ('delete', old.rowid, old.{column});
            INSERT INTO search_fts(rowid, {column}) VALUES (new.rowid, new.{column});
        END""",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def _drop_sqlite_full_text() -> None:
    for trigger in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")


# Every token as a quoted lexeme with its position ('taliban':1 'claim':2): the tsvector
# input function takes quoted lexemes verbatim. PostgreSQL's limits stay: positions past 16383
# are stored as 16383 and a lexeme keeps 256 positions, so phrases in a document of more than
# 16,383 tokens may match differently than on SQLite (search documents are far shorter).
POSTGRESQL_TERMS_TSVECTOR = """
CREATE FUNCTION search_terms_tsvector(terms text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CAST(coalesce(string_agg(
        quote_literal(btrim(token, '|')) || ':' || CAST(position AS text), ' '
    ), '') AS tsvector)
    FROM unnest(string_to_array(terms, ' ')) WITH ORDINALITY AS stream(token, position)
$$
"""


def _fill_terms() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT entity_type, entity_id, content FROM search_document")
    ).all()
    update = sa.text(
        "UPDATE search_document SET terms = :terms, term_count = :term_count"
        " WHERE entity_type = :entity_type AND entity_id = :entity_id"
    )
    batch: list[dict[str, object]] = []
    for entity_type, entity_id, content in rows:
        terms, count = index_terms(content)
        batch.append(
            {
                "terms": terms,
                "term_count": count,
                "entity_type": entity_type,
                "entity_id": entity_id,
            }
        )
        if len(batch) == 5000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _drop_sqlite_full_text()
    else:
        op.execute("ALTER TABLE search_document DROP COLUMN search_tsv")  # and its GIN index
    op.add_column(
        "search_document", sa.Column("terms", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "search_document",
        sa.Column("term_count", sa.Integer(), nullable=False, server_default="0"),
    )
    _fill_terms()
    if dialect == "sqlite":
        for statement in _sqlite_full_text("terms", "unicode61 remove_diacritics 0"):
            op.execute(statement)
        return
    op.execute(POSTGRESQL_TERMS_TSVECTOR)
    op.execute(
        "ALTER TABLE search_document ADD COLUMN search_tsv tsvector"
        " GENERATED ALWAYS AS (search_terms_tsvector(terms)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_search_document_tsv_stored ON search_document USING gin (search_tsv)"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _drop_sqlite_full_text()
    else:
        op.execute("ALTER TABLE search_document DROP COLUMN search_tsv")
        op.execute("DROP FUNCTION search_terms_tsvector(text)")
    op.drop_column("search_document", "term_count")
    op.drop_column("search_document", "terms")
    if dialect == "sqlite":
        for statement in _sqlite_full_text("content", "porter unicode61 remove_diacritics 2"):
            op.execute(statement)
        return
    op.execute(
        "ALTER TABLE search_document ADD COLUMN search_tsv tsvector"
        " GENERATED ALWAYS AS (to_tsvector('english', content)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_search_document_tsv_stored ON search_document USING gin (search_tsv)"
    )
