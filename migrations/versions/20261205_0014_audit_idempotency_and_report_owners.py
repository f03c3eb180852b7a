"""The audit log of writes, stored answers to idempotent POSTs, the key that created a
report, and write keys limited to their own reports

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # Text columns COLLATE "C" on PostgreSQL, as every sorted text column (revision 0010).
    collation = None if bind.dialect.name == "sqlite" else "C"
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(10, collation=collation), nullable=False),
        sa.Column("report_id", sa.String(120, collation=collation), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("key_name", sa.String(100, collation=collation), nullable=False),
        sa.Column("request_id", sa.String(200, collation=collation), nullable=True),
        sa.Column("idempotency_key", sa.String(255, collation=collation), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("before_version", sa.String(64, collation=collation), nullable=True),
        sa.Column("after_version", sa.String(64, collation=collation), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
    )
    op.create_index("ix_audit_entry_report_id_id", "audit_entry", ["report_id", "id"])
    op.create_index("ix_audit_entry_key_id_id", "audit_entry", ["key_id", "id"])
    op.create_table(
        "idempotency_record",
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(255, collation=collation), nullable=False),
        sa.Column("fingerprint", sa.String(64, collation=collation), nullable=False),
        sa.Column("state", sa.String(10, collation=collation), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "idempotency_key", name="pk_idempotency_record"),
    )
    op.create_index("ix_idempotency_record_expires_at", "idempotency_record", ["expires_at"])
    # Plain ADD COLUMN (SQLite has it): no table is copied.
    op.add_column("report", sa.Column("created_by_key_id", sa.Integer(), nullable=True))
    op.add_column(
        "api_key",
        sa.Column("own_reports_only", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column): a copied table would turn the inline
    # REFERENCES of revision 0009 into constraints its downgrade cannot drop a column from.
    op.drop_column("api_key", "own_reports_only")
    op.drop_column("report", "created_by_key_id")
    op.drop_index("ix_idempotency_record_expires_at", table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_index("ix_audit_entry_key_id_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_report_id_id", table_name="audit_entry")
    op.drop_table("audit_entry")
