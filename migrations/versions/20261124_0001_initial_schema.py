"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 23:36:37.549172
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actor",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("affiliation", sa.String(length=200), nullable=True),
        sa.Column("nationality", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index("ix_actor_kind_id", ["kind", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actor_name"), ["name"], unique=False)

    op.create_table(
        "location",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("precision", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.String(length=120), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name=op.f("ck_location_coordinates_pair")
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90)",
            name=op.f("ck_location_latitude_range"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)",
            name=op.f("ck_location_longitude_range"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["location.id"], name=op.f("fk_location_parent_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.create_index("ix_location_country_code_id", ["country_code", "id"], unique=False)
        batch_op.create_index("ix_location_kind_id", ["kind", "id"], unique=False)
        batch_op.create_index(
            "ix_location_latitude_longitude", ["latitude", "longitude"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_location_name"), ["name"], unique=False)
        batch_op.create_index("ix_location_parent_id_id", ["parent_id", "id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("publisher_note", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("published_on_note", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.CheckConstraint("length(body_sha256) = 64", name=op.f("ck_report_sha256_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_published_on"), ["published_on"], unique=False)

    op.create_table(
        "actor_relation",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("subject_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=120), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_actor_relation_span_order")
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["actor.id"], name=op.f("fk_actor_relation_object_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_actor_relation_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["actor.id"], name=op.f("fk_actor_relation_subject_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_relation")),
    )
    with op.batch_alter_table("actor_relation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actor_relation_object_id"), ["object_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actor_relation_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actor_relation_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "claim",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("claimant_id", sa.String(length=120), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("stated_on", sa.Date(), nullable=True),
        sa.Column("stated_until", sa.Date(), nullable=True),
        sa.Column("stated_on_precision", sa.String(length=40), nullable=True),
        sa.Column("stated_on_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "(stated_on IS NULL) = (stated_on_precision IS NULL)",
            name=op.f("ck_claim_stated_on_precision"),
        ),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_claim_span_order")
        ),
        sa.ForeignKeyConstraint(
            ["claimant_id"], ["actor.id"], name=op.f("fk_claim_claimant_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_claim_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index("ix_claim_channel_id", ["channel", "id"], unique=False)
        batch_op.create_index("ix_claim_claimant_id_id", ["claimant_id", "id"], unique=False)
        batch_op.create_index("ix_claim_kind_id", ["kind", "id"], unique=False)
        batch_op.create_index("ix_claim_report_id_id", ["report_id", "id"], unique=False)
        batch_op.create_index("ix_claim_stated_on_id", ["stated_on", "id"], unique=False)
        batch_op.create_index("ix_claim_stated_until", ["stated_until"], unique=False)
        batch_op.create_index("ix_claim_status_id", ["status", "id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("sub_event_type", sa.String(length=60), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("date_until", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=40), nullable=False),
        sa.Column("date_text", sa.Text(), nullable=True),
        sa.Column("location_id", sa.String(length=120), nullable=True),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(fatalities_low IS NULL OR fatalities_low >= 0) AND (fatalities_best IS NULL OR fatalities_best >= 0) AND (fatalities_high IS NULL OR fatalities_high >= 0)",
            name=op.f("ck_event_fatalities_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_event_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_event_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_date_id", ["date", "id"], unique=False)
        batch_op.create_index("ix_event_date_until", ["date_until"], unique=False)
        batch_op.create_index("ix_event_event_type_id", ["event_type", "id"], unique=False)
        batch_op.create_index(
            "ix_event_fatalities_best_id", ["fatalities_best", "id"], unique=False
        )
        batch_op.create_index("ix_event_location_id_id", ["location_id", "id"], unique=False)
        batch_op.create_index("ix_event_report_id_id", ["report_id", "id"], unique=False)
        batch_op.create_index("ix_event_sub_event_type_id", ["sub_event_type", "id"], unique=False)

    op.create_table(
        "report_actor",
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actor.id"],
            name=op.f("fk_report_actor_actor_id_actor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_actor_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "actor_id", name=op.f("pk_report_actor")),
    )
    with op.batch_alter_table("report_actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_actor_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "report_location",
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("location_id", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_report_location_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_location_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "location_id", name=op.f("pk_report_location")),
    )
    with op.batch_alter_table("report_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_location_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "search_document",
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=120), nullable=False),
        sa.Column("report_id", sa.String(length=120), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_search_document_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_type", "entity_id", name=op.f("pk_search_document")),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index("ix_search_document_report_id", ["report_id"], unique=False)

    op.create_table(
        "claim_actor",
        sa.Column("claim_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_claim_actor_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_actor_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "actor_id", name=op.f("pk_claim_actor")),
    )
    with op.batch_alter_table("claim_actor", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_actor_actor_id_claim_id", ["actor_id", "claim_id"], unique=False
        )

    op.create_table(
        "claim_link",
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("target_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_claim_link_not_self")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["claim.id"],
            name=op.f("fk_claim_link_source_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["claim.id"],
            name=op.f("fk_claim_link_target_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "target_id", "kind", name=op.f("pk_claim_link")),
    )
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.create_index("ix_claim_link_kind_source_id", ["kind", "source_id"], unique=False)
        batch_op.create_index(
            "ix_claim_link_target_id_kind_source_id",
            ["target_id", "kind", "source_id"],
            unique=False,
        )

    op.create_table(
        "claim_location",
        sa.Column("claim_id", sa.String(length=120), nullable=False),
        sa.Column("location_id", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_location_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_claim_location_location_id_location")
        ),
        sa.PrimaryKeyConstraint("claim_id", "location_id", name=op.f("pk_claim_location")),
    )
    with op.batch_alter_table("claim_location", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_location_location_id_claim_id", ["location_id", "claim_id"], unique=False
        )

    op.create_table(
        "claim_quantity",
        sa.Column("claim_id", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=80), nullable=False),
        sa.Column("counted", sa.String(length=200), nullable=False),
        sa.Column("qualifier", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_quantity_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "position", name=op.f("pk_claim_quantity")),
    )
    op.create_table(
        "event_actor",
        sa.Column("event_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_event_actor_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_actor_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "actor_id", name=op.f("pk_event_actor")),
    )
    with op.batch_alter_table("event_actor", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_actor_actor_id_event_id", ["actor_id", "event_id"], unique=False
        )

    op.create_table(
        "event_claim",
        sa.Column("event_id", sa.String(length=120), nullable=False),
        sa.Column("claim_id", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_event_claim_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_claim_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "claim_id", name=op.f("pk_event_claim")),
    )
    with op.batch_alter_table("event_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_claim_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "media",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("report_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("posted_by_id", sa.String(length=120), nullable=True),
        sa.Column("credit", sa.String(length=200), nullable=True),
        sa.Column("platform", sa.String(length=80), nullable=True),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("posted_until", sa.Date(), nullable=True),
        sa.Column("posted_on_precision", sa.String(length=40), nullable=True),
        sa.Column("posted_on_text", sa.Text(), nullable=True),
        sa.Column("claim_id", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "(posted_on IS NULL) = (posted_on_precision IS NULL)",
            name=op.f("ck_media_posted_on_precision"),
        ),
        sa.CheckConstraint(
            "span_start >= 0 AND span_end > span_start", name=op.f("ck_media_span_order")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_media_claim_id_claim"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["posted_by_id"], ["actor.id"], name=op.f("fk_media_posted_by_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_media_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index("ix_media_kind_id", ["kind", "id"], unique=False)
        batch_op.create_index("ix_media_platform_id", ["platform", "id"], unique=False)
        batch_op.create_index("ix_media_posted_by_id_id", ["posted_by_id", "id"], unique=False)
        batch_op.create_index("ix_media_posted_on_id", ["posted_on", "id"], unique=False)
        batch_op.create_index("ix_media_posted_until", ["posted_until"], unique=False)
        batch_op.create_index("ix_media_report_id_id", ["report_id", "id"], unique=False)

    op.create_table(
        "media_actor",
        sa.Column("media_id", sa.String(length=120), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_media_actor_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_actor_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", "actor_id", name=op.f("pk_media_actor")),
    )
    with op.batch_alter_table("media_actor", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_actor_actor_id_media_id", ["actor_id", "media_id"], unique=False
        )

    op.create_table(
        "media_location",
        sa.Column("media_id", sa.String(length=120), nullable=False),
        sa.Column("location_id", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_media_location_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_location_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", "location_id", name=op.f("pk_media_location")),
    )
    with op.batch_alter_table("media_location", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_location_location_id_media_id", ["location_id", "media_id"], unique=False
        )

    _create_full_text()


def downgrade() -> None:
    _drop_full_text()
    with op.batch_alter_table("media_location", schema=None) as batch_op:
        batch_op.drop_index("ix_media_location_location_id_media_id")

    op.drop_table("media_location")
    with op.batch_alter_table("media_actor", schema=None) as batch_op:
        batch_op.drop_index("ix_media_actor_actor_id_media_id")

    op.drop_table("media_actor")
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index("ix_media_report_id_id")
        batch_op.drop_index("ix_media_posted_until")
        batch_op.drop_index("ix_media_posted_on_id")
        batch_op.drop_index("ix_media_posted_by_id_id")
        batch_op.drop_index("ix_media_platform_id")
        batch_op.drop_index("ix_media_kind_id")
        batch_op.drop_index(batch_op.f("ix_media_claim_id"))

    op.drop_table("media")
    with op.batch_alter_table("event_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_claim_claim_id"))

    op.drop_table("event_claim")
    with op.batch_alter_table("event_actor", schema=None) as batch_op:
        batch_op.drop_index("ix_event_actor_actor_id_event_id")

    op.drop_table("event_actor")
    op.drop_table("claim_quantity")
    with op.batch_alter_table("claim_location", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_location_location_id_claim_id")

    op.drop_table("claim_location")
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_link_target_id_kind_source_id")
        batch_op.drop_index("ix_claim_link_kind_source_id")

    op.drop_table("claim_link")
    with op.batch_alter_table("claim_actor", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_actor_actor_id_claim_id")

    op.drop_table("claim_actor")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_report_id")

    op.drop_table("search_document")
    with op.batch_alter_table("report_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_location_location_id"))

    op.drop_table("report_location")
    with op.batch_alter_table("report_actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_actor_actor_id"))

    op.drop_table("report_actor")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_sub_event_type_id")
        batch_op.drop_index("ix_event_report_id_id")
        batch_op.drop_index("ix_event_location_id_id")
        batch_op.drop_index("ix_event_fatalities_best_id")
        batch_op.drop_index("ix_event_event_type_id")
        batch_op.drop_index("ix_event_date_until")
        batch_op.drop_index("ix_event_date_id")

    op.drop_table("event")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_status_id")
        batch_op.drop_index("ix_claim_stated_until")
        batch_op.drop_index("ix_claim_stated_on_id")
        batch_op.drop_index("ix_claim_report_id_id")
        batch_op.drop_index("ix_claim_kind_id")
        batch_op.drop_index("ix_claim_claimant_id_id")
        batch_op.drop_index("ix_claim_channel_id")

    op.drop_table("claim")
    with op.batch_alter_table("actor_relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_relation_subject_id"))
        batch_op.drop_index(batch_op.f("ix_actor_relation_report_id"))
        batch_op.drop_index(batch_op.f("ix_actor_relation_object_id"))

    op.drop_table("actor_relation")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_published_on"))

    op.drop_table("report")
    with op.batch_alter_table("location", schema=None) as batch_op:
        batch_op.drop_index("ix_location_parent_id_id")
        batch_op.drop_index(batch_op.f("ix_location_name"))
        batch_op.drop_index("ix_location_latitude_longitude")
        batch_op.drop_index("ix_location_kind_id")
        batch_op.drop_index("ix_location_country_code_id")

    op.drop_table("location")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_name"))
        batch_op.drop_index("ix_actor_kind_id")

    op.drop_table("actor")


# Full text: SQLite gets an FTS5 table kept in step with search_document by triggers;
# PostgreSQL a GIN index on the same expression the queries use.
SQLITE_FULL_TEXT = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        content, content='search_document', content_rowid='rowid',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, content) VALUES (new.rowid, new.content);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
        INSERT INTO search_fts(rowid, content) VALUES (new.rowid, new.content);
    END""",
]
POSTGRESQL_FULL_TEXT = [
    "CREATE INDEX ix_search_document_tsv ON search_document"
    " USING gin (to_tsvector('english', content))",
]


def _create_full_text() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FULL_TEXT if dialect == "sqlite" else POSTGRESQL_FULL_TEXT:
        op.execute(statement)


def _drop_full_text() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_document_tsv")
