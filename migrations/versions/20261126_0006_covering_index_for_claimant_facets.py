"""A covering index for the facets of one claimant

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["claimant_id", "kind", "status", "channel", "stated_on_precision", "stated_on"]


def upgrade() -> None:
    # A plain CREATE INDEX (no batch "move and copy" of `claim` on SQLite).
    op.create_index("ix_claim_claimant_facets", "claim", COLUMNS)
    # Statistics that know the new index, or SQLite's planner keeps to the old ones.
    op.execute("ANALYZE claim")


def downgrade() -> None:
    op.drop_index("ix_claim_claimant_facets", table_name="claim")
