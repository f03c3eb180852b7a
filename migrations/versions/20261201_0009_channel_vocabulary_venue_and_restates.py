"""Channel vocabulary, the venue of a claim and the report's outlet as an actor

`claim.venue_id` (the outlet a claim was said to or published in) and `report.publisher_id`
(the publisher as an actor, the claimant of what the report asserts itself), both nullable
references to `actor`, with their indexes. Channels written as free text become the
vocabulary (app.models.vocab.ClaimChannel), and the outlet named in the old text becomes the
venue where it is an actor (Reuters, Politico …); a channel the vocabulary cannot place becomes
`unspecified` and is listed in the migration's log (the bundle keeps the original words).

Data loaded before this revision has claims without a claimant (what the report asserts
itself): each report's publisher becomes an actor (`outlet-<publisher>`, kind
`media_outlet`), the report's `publisher_id` and those claims' claimant, so the API's
`claimant` is never null. The next `seed` of a bundle that names its outlet replaces it (an
actor no report declares is removed). The stored facet counts are dropped, so facets are
counted live (with their new labels) until the next import refreshes them. Restatements are
a new claim-link kind: no schema change.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00
"""

import logging
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

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
# The outlet an old free-text channel names, where that actor exists.
VENUES = {
    "interview with Reuters": "reuters",
    "interview with AFP": "afp",
    "statement to Politico": "politico",
    "appeal in a French magazine": "french-magazine",
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
    _outlets_as_claimants()
    claim = sa.table(
        "claim",
        sa.column("id", sa.String),
        sa.column("channel", sa.String),
        sa.column("venue_id", sa.String),
    )
    actor = sa.table("actor", sa.column("id", sa.String))
    for old, venue in VENUES.items():
        op.execute(
            claim.update()
            .where(claim.c.channel == old, sa.exists().where(actor.c.id == venue))
            .values(venue_id=venue)
        )
    unplaced = op.get_bind().execute(
        sa.select(claim.c.id, claim.c.channel)
        .where(claim.c.channel.not_in([*VOCABULARY, *CHANNELS]))
        .order_by(claim.c.id)
    )
    for claim_id, channel in unplaced:
        LOG.warning("claim %s: channel %r is now 'unspecified'", claim_id, channel)
    for old, new in CHANNELS.items():
        if old != new:
            op.execute(claim.update().where(claim.c.channel == old).values(channel=new))
    op.execute(
        claim.update().where(claim.c.channel.not_in(VOCABULARY)).values(channel="unspecified")
    )
    op.execute("DELETE FROM facet_count")


LOG = logging.getLogger("alembic.runtime.migration")


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:100] or "unnamed"


def _outlets_as_claimants() -> None:
    """Each report's publisher as an actor: the report's `publisher_id`, and the claimant of
    the claims that had none (what the report asserts itself)."""
    bind = op.get_bind()
    actor = sa.table(
        "actor",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("aliases", sa.JSON().with_variant(JSONB(), "postgresql")),
        sa.column("description", sa.Text),
    )
    report_actor = sa.table(
        "report_actor", sa.column("report_id", sa.String), sa.column("actor_id", sa.String)
    )
    report = sa.table(
        "report",
        sa.column("id", sa.String),
        sa.column("publisher", sa.String),
        sa.column("publisher_id", sa.String),
    )
    claim = sa.table(
        "claim",
        sa.column("report_id", sa.String),
        sa.column("claimant_id", sa.String),
    )
    rows = bind.execute(
        sa.select(report.c.id, report.c.publisher)
        .where(report.c.publisher_id.is_(None))
        .order_by(report.c.id)
    ).all()
    for report_id, publisher in rows:
        outlet = f"outlet-{_slug(publisher)}"
        if bind.execute(sa.select(actor.c.id).where(actor.c.id == outlet)).first() is None:
            bind.execute(
                actor.insert().values(
                    id=outlet,
                    name=publisher,
                    kind="media_outlet",
                    aliases=[],
                    description="The publisher of a report, made an actor by migration 0009; "
                    "the next seed of a bundle that names its outlet replaces it.",
                )
            )
        linked = sa.select(report_actor.c.actor_id).where(
            report_actor.c.report_id == report_id, report_actor.c.actor_id == outlet
        )
        if bind.execute(linked).first() is None:
            bind.execute(report_actor.insert().values(report_id=report_id, actor_id=outlet))
        bind.execute(report.update().where(report.c.id == report_id).values(publisher_id=outlet))
        bind.execute(
            claim.update()
            .where(claim.c.report_id == report_id, claim.c.claimant_id.is_(None))
            .values(claimant_id=outlet)
        )


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
