"""Claim flags for the contested and has_quantity filters, and the link index by target

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE and CREATE INDEX on both engines: no batch "move and copy" of `claim`,
# whose DROP would cascade into every table that references it on SQLite.


def upgrade() -> None:
    op.add_column(
        "claim", sa.Column("contested", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "claim",
        sa.Column("has_quantity", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Flags for claims loaded before this revision.
    op.execute(
        "UPDATE claim SET contested = (EXISTS (SELECT 1 FROM claim_link AS l"
        " WHERE l.kind = 'contradicts' AND l.source_id = claim.id) OR EXISTS (SELECT 1"
        " FROM claim_link AS l WHERE l.kind = 'contradicts' AND l.target_id = claim.id)),"
        " has_quantity = EXISTS (SELECT 1 FROM claim_quantity AS q WHERE q.claim_id = claim.id)"
    )
    op.create_index("ix_claim_contested_id", "claim", ["contested", "id"])
    op.create_index("ix_claim_has_quantity_id", "claim", ["has_quantity", "id"])
    op.create_index("ix_claim_link_kind_target_id", "claim_link", ["kind", "target_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_link_kind_target_id", table_name="claim_link")
    op.drop_index("ix_claim_has_quantity_id", table_name="claim")
    op.drop_index("ix_claim_contested_id", table_name="claim")
    # SQLite (3.35+) drops a column in place; no table is rebuilt.
    op.drop_column("claim", "has_quantity")
    op.drop_column("claim", "contested")
