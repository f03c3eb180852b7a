"""Channel vocabulary, the venue of a claim and the report's outlet as an actor

`claim.venue_id` (the outlet a claim was said to or published in) and `report.publisher_id`
(the publisher as an actor, the claimant of what the report asserts itself), both nullable
references to `actor`, with their indexes. Channels written as free text become the
vocabulary (app.models.vocab.ClaimChannel); the stored facet counts are dropped, so facets are
counted live (with their new labels) until the next import refreshes them. Restatements are
a new claim-link kind: no schema change.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, foreign key name, index name)
REFERENCES = (
    ("claim", "venue_id", "fk_claim_venue_id_actor", "ix_claim_venue_id"),
    ("report", "publisher_id", "fk_report_publisher_id_actor", "ix_report_publisher_id"),
)

# Free-text channels of earlier seeds and synthetic corpora, and their vocabulary value;
# anything else becomes `unspecified`.
CHANNELS = {
    "statement": "statement",
    "tweet": "tweet",
    "interview with Reuters": "interview",
    "interview with AFP": "interview",
    "statement to Politico": "interview",
    "appeal in a French magazine": "published_appeal",
    "photo posted on Twitter": "social_media_post",
    "Telegram post": "social_media_post",
    "press conference": "statement",
    "televised address": "statement",
    "report": "reporting",
    "unspecified": "unspecified",
}
VOCABULARY = (
    "statement",
    "interview",
    "tweet",
    "social_media_post",
    "published_appeal",
    "reporting",
    "unspecified",
)


# Plain ALTER TABLE ADD COLUMN and CREATE INDEX on both engines: no batch "move and copy" of
# `claim` or `report` on SQLite (its DROP would cascade into every table that references it).


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _foreign_key, index in REFERENCES:
        op.add_column(
            table,
            sa.Column(column, sa.String(120), sa.ForeignKey("actor.id"), nullable=True),
            inline_references=sqlite,
        )
        # PostgreSQL: the foreign key is a constraint of its own, named by the models'
        # naming convention (`foreign_key`); SQLite: an inline REFERENCES clause.
        op.create_index(index, table, [column])
    claim = sa.table("claim", sa.column("channel", sa.String))
    for old, new in CHANNELS.items():
        if old != new:
            op.execute(claim.update().where(claim.c.channel == old).values(channel=new))
    op.execute(
        claim.update().where(claim.c.channel.not_in(VOCABULARY)).values(channel="unspecified")
    )
    op.execute("DELETE FROM facet_count")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, foreign_key, index in reversed(REFERENCES):
        op.drop_index(index, table_name=table)
        if not sqlite:
            op.drop_constraint(foreign_key, table, type_="foreignkey")
        # SQLite (3.35+) drops a column in place (its inline REFERENCES allows it).
        op.drop_column(table, column)
    # Channels stay as vocabulary values: they are valid free text too. Restatement links
    # stay as rows of a kind the older code ignores.
