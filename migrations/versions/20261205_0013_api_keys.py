"""API keys: a name, a scope, a hash of the key (never the key), when made, used, expiring
and revoked

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # Text columns COLLATE "C" on PostgreSQL, as every sorted text column (revision 0010).
    collation = None if bind.dialect.name == "sqlite" else "C"
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100, collation=collation), nullable=False),
        sa.Column("scope", sa.String(10, collation=collation), nullable=False),
        sa.Column("hint", sa.String(16, collation=collation), nullable=False),
        sa.Column("secret_hash", sa.String(64, collation=collation), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
    )
    op.create_index("ix_api_key_secret_hash", "api_key", ["secret_hash"], unique=True)
    op.create_index("ix_api_key_name", "api_key", ["name"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_api_key_name", table_name="api_key")
    op.drop_index("ix_api_key_secret_hash", table_name="api_key")
    op.drop_table("api_key")
