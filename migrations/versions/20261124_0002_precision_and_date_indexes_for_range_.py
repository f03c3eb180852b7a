"""Precision and date indexes for date-range queries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:57:46.796806
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


INDEXES = (
    ("ix_claim_stated_on_precision_stated_on", "claim", ["stated_on_precision", "stated_on"]),
    ("ix_media_posted_on_precision_posted_on", "media", ["posted_on_precision", "posted_on"]),
    ("ix_event_date_precision_date", "event", ["date_precision", "date"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
