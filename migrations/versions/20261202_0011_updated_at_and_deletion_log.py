"""Incremental sync: `updated_at` on every item table and a log of deletions

`updated_at` (UTC, to the microsecond; `timestamptz` on PostgreSQL, SQLAlchemy's fixed-width
text on SQLite) on report, actor, location, claim, media and event, with an index on
(updated_at, id) for `updated_since` and `sort=updated_at`; the rows already there get the
migration's time. `deletion` records what an import removed (collection, id, when), indexed
by time for `GET /v1/deleted?since=`.

Plain ALTER TABLE ADD COLUMN and CREATE INDEX on both engines: no batch "move and copy" of a
table on SQLite (its DROP would cascade into every table that references it). SQLite adds a
NOT NULL column only with a constant default: the epoch, the same in every database's schema
(the importer always writes the column itself), and the rows then get the migration's time;
PostgreSQL drops the default once the rows have it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:30:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ITEM_TABLES = ("report", "actor", "location", "claim", "media", "event")


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # The text SQLAlchemy's SQLite DateTime writes (and compares as text), or a timestamptz.
    epoch = "1970-01-01 00:00:00.000000" + ("" if sqlite else "+00")
    now = dt.datetime.now(dt.UTC)
    stamp = now.replace(tzinfo=None) if sqlite else now
    for table in ITEM_TABLES:
        op.add_column(
            table,
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text(f"'{epoch}'"),
            ),
        )
        if not sqlite:
            op.alter_column(table, "updated_at", server_default=None)
        rows = sa.table(table, sa.column("updated_at", sa.DateTime(timezone=True)))
        op.execute(rows.update().values(updated_at=stamp))
        op.create_index(f"ix_{table}_updated_at_id", table, ["updated_at", "id"])
    # Text columns COLLATE "C" on PostgreSQL, as every sorted text column (revision 0010).
    collation = None if sqlite else "C"
    op.create_table(
        "deletion",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(40, collation=collation), nullable=False),
        sa.Column("entity_id", sa.String(120, collation=collation), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deletion"),
    )
    op.create_index(
        "ix_deletion_entity_type_entity_id", "deletion", ["entity_type", "entity_id"], unique=True
    )
    op.create_index(
        "ix_deletion_deleted_at", "deletion", ["deleted_at", "entity_type", "entity_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_deletion_deleted_at", table_name="deletion")
    op.drop_index("ix_deletion_entity_type_entity_id", table_name="deletion")
    op.drop_table("deletion")
    for table in reversed(ITEM_TABLES):
        op.drop_index(f"ix_{table}_updated_at_id", table_name=table)
        # SQLite (3.35+) drops a column in place; no table is rebuilt.
        op.drop_column(table, "updated_at")
