"""Covering indexes for date-range filters: precision, start, end and id

The range filter is one index range per precision on (precision, start), checked against the
period's end; with the end and the id in the index, candidates need no table lookup (1M
claims, one month: 8 ms to 0.7 ms on SQLite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 01:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, old index, old columns, new index, new columns)
CHANGES = (
    (
        "claim",
        "ix_claim_stated_on_precision_stated_on",
        ["stated_on_precision", "stated_on"],
        "ix_claim_period",
        ["stated_on_precision", "stated_on", "stated_until", "id"],
    ),
    (
        "media",
        "ix_media_posted_on_precision_posted_on",
        ["posted_on_precision", "posted_on"],
        "ix_media_period",
        ["posted_on_precision", "posted_on", "posted_until", "id"],
    ),
    (
        "event",
        "ix_event_date_precision_date",
        ["date_precision", "date"],
        "ix_event_period",
        ["date_precision", "date", "date_until", "id"],
    ),
)


# Plain CREATE and DROP INDEX (no batch "move and copy" of the tables on SQLite).


def upgrade() -> None:
    for table, old, _old_columns, new, columns in CHANGES:
        op.create_index(new, table, columns)
        op.drop_index(old, table_name=table)
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table, old, old_columns, new, _columns in CHANGES:
        op.create_index(old, table, old_columns)
        op.drop_index(new, table_name=table)
