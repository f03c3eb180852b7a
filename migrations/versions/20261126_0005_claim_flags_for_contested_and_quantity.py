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


def upgrade() -> None:
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contested", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("has_quantity", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Flags for claims loaded before this revision.
    op.execute(
        "UPDATE claim SET contested = (EXISTS (SELECT 1 FROM claim_link AS l"
        " WHERE l.kind = 'contradicts' AND l.source_id = claim.id) OR EXISTS (SELECT 1"
        " FROM claim_link AS l WHERE l.kind = 'contradicts' AND l.target_id = claim.id)),"
        " has_quantity = EXISTS (SELECT 1 FROM claim_quantity AS q WHERE q.claim_id = claim.id)"
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index("ix_claim_contested_id", ["contested", "id"], unique=False)
        batch_op.create_index("ix_claim_has_quantity_id", ["has_quantity", "id"], unique=False)
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.create_index("ix_claim_link_kind_target_id", ["kind", "target_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_link_kind_target_id")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_has_quantity_id")
        batch_op.drop_index("ix_claim_contested_id")
        batch_op.drop_column("has_quantity")
        batch_op.drop_column("contested")
