"""The report whose bundle declares each actor and place: the one that may change it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 11:00:00

Each actor and place is held by the first report (by id) that mentions it, as the importer
passes one on when its report goes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MENTIONS = {"actor": ("report_actor", "actor_id"), "location": ("report_location", "location_id")}


def upgrade() -> None:
    bind = op.get_bind()
    collation = None if bind.dialect.name == "sqlite" else "C"
    for table, (mentions, column) in MENTIONS.items():
        # Plain ADD COLUMN (SQLite has it): no table is copied.
        op.add_column(
            table, sa.Column("declared_by", sa.String(120, collation=collation), nullable=True)
        )
        op.execute(
            f"UPDATE {table} SET declared_by = ("
            f"  SELECT MIN(m.report_id) FROM {mentions} m WHERE m.{column} = {table}.id"
            ")"
        )


def downgrade() -> None:
    for table in MENTIONS:
        op.drop_column(table, "declared_by")
