"""Precomputed facet counts for unfiltered facet requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facet_count",
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("facet", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("collection", "facet", "position", name=op.f("pk_facet_count")),
    )
    # Left empty: a collection without stored counts is counted live, until the next
    # `conflict-reports seed` (or synth) stores them.


def downgrade() -> None:
    op.drop_table("facet_count")
