"""A deterministic synthetic corpus with the real data's shape, for scale tests and benchmarks.

`conflict-reports synth --claims N --seed S` writes, through the bulk import path:
- reports (one per 200 claims) whose text holds every quote and caption at its span;
- actors (about 1% of the claims) whose claim counts follow a long tail (Zipf-like);
- a location hierarchy: 12 countries, 10 provinces each, 10 districts each, with coordinates;
- claims with mixed date precision (day, month, year) over 2000-2024, kinds, statuses,
  channels, the actors and places they are about, quantities and contradictions;
- media (one per four claims), events (one per ten), actor relations and search documents.

The same N and seed give the same rows, ids and text on every machine.
"""

import bisect
import calendar
import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select
from sqlalchemy.exc import OperationalError

from app.catalog import FACET_SETS
from app.core.query.facets import refresh_facet_counts
from app.core.query.search_language import index_terms
from app.core.query.sync import as_utc, utc_now
from app.importer.bulk import deferred_indexes, insert_rows
from app.importer.lock import DEFAULT_LOCK_WAIT, take_import_lock
from app.models import Base, Claim
from app.models.vocab import ACLED_EVENT_TYPES, ClaimChannel, ClaimKind, ClaimStatus

# How long synth waits for other connections to let go before it keeps the WAL for its load.
JOURNAL_SWITCH_WAIT_MS = 200
CLAIMS_PER_REPORT = 200
CHUNK_CLAIMS = 20_000
PREFIX = "synth"

Rows = dict[str, list[tuple[Any, ...]]]

COLUMNS: dict[str, tuple[str, ...]] = {
    "report": (
        "id",
        "title",
        "publisher",
        "published_on",
        "published_on_note",
        "language",
        "summary",
        "body",
        "body_sha256",
        "source_file",
    ),
    "actor": ("id", "name", "kind", "aliases", "description"),
    "location": (
        "id",
        "name",
        "kind",
        "latitude",
        "longitude",
        "precision",
        "parent_id",
        "country_code",
        "aliases",
    ),
    "report_actor": ("report_id", "actor_id"),
    "report_location": ("report_id", "location_id"),
    "actor_relation": (
        "id",
        "report_id",
        "subject_id",
        "kind",
        "object_id",
        "quote",
        "span_start",
        "span_end",
    ),
    "claim": (
        "id",
        "report_id",
        "claimant_id",
        "quote",
        "span_start",
        "span_end",
        "statement",
        "kind",
        "channel",
        "venue_id",
        "stated_on",
        "stated_until",
        "stated_on_precision",
        "stated_on_text",
        "status",
        "contested",
        "has_quantity",
    ),
    "claim_actor": ("claim_id", "actor_id", "role", "position"),
    "claim_location": ("claim_id", "location_id", "role", "position"),
    "claim_quantity": ("claim_id", "position", "value", "unit", "counted", "qualifier", "text"),
    "claim_link": ("source_id", "target_id", "kind"),
    "media": (
        "id",
        "report_id",
        "kind",
        "caption",
        "span_start",
        "span_end",
        "posted_by_id",
        "platform",
        "posted_on",
        "posted_until",
        "posted_on_precision",
        "claim_id",
    ),
    "media_actor": ("media_id", "actor_id", "role", "position"),
    "media_location": ("media_id", "location_id", "position"),
    "event": (
        "id",
        "report_id",
        "title",
        "event_type",
        "sub_event_type",
        "date",
        "date_until",
        "date_precision",
        "location_id",
        "fatalities_low",
        "fatalities_best",
        "fatalities_high",
    ),
    "event_actor": ("event_id", "actor_id", "role", "position"),
    "event_claim": ("event_id", "claim_id", "position"),
    "search_document": ("entity_type", "entity_id", "report_id", "content", "terms", "term_count"),
}
# Parents before children, so that foreign keys hold at every step.
TABLE_ORDER = tuple(COLUMNS)

FIRST_NAMES = (
    "Ahmad",
    "Amina",
    "Farid",
    "Hamid",
    "Laila",
    "Nasir",
    "Omar",
    "Rahim",
    "Sima",
    "Zahir",
)
GROUP_WORDS = ("Front", "Brigade", "Council", "Movement", "Alliance", "Army", "Militia", "Party")
COUNTRIES = (
    ("AF", "Afghanistan", 33.9, 67.7),
    ("SY", "Syria", 35.0, 38.5),
    ("YE", "Yemen", 15.6, 48.0),
    ("SD", "Sudan", 15.5, 30.2),
    ("ML", "Mali", 17.6, -4.0),
    ("UA", "Ukraine", 48.4, 31.2),
    ("SO", "Somalia", 5.2, 46.2),
    ("IQ", "Iraq", 33.2, 43.7),
    ("LY", "Libya", 26.3, 17.2),
    ("MM", "Myanmar", 21.9, 95.9),
    ("ET", "Ethiopia", 9.1, 40.5),
    ("CD", "DR Congo", -4.0, 21.8),
)
VERBS = ("captured", "shelled", "surrounded", "ambushed", "abandoned", "reinforced", "besieged")
# Channels as the seed's claims spread over them (the report's own reporting aside: a
# synthetic claimant is never the report's outlet); interviews and published appeals have an
# outlet as their venue.
CHANNELS = (
    *[ClaimChannel.unspecified.value] * 3,
    *[ClaimChannel.statement.value] * 2,
    *[ClaimChannel.tweet.value] * 2,
    ClaimChannel.interview.value,
    ClaimChannel.social_media_post.value,
    ClaimChannel.published_appeal.value,
)
WITH_VENUE = {ClaimChannel.interview.value, ClaimChannel.published_appeal.value}
OUTLETS = ("Wire Service", "Evening Gazette", "Frontline Radio", "World Weekly", "Daily Courier")
START_DAY = dt.date(2000, 1, 1).toordinal()
END_DAY = dt.date(2024, 12, 31).toordinal()
CLAIM_KINDS = [kind.value for kind in ClaimKind]
STATUSES = [status.value for status in ClaimStatus]
EVENT_TYPES = [(t, s) for t, subtypes in ACLED_EVENT_TYPES.items() for s in subtypes]


@dataclass
class SynthSummary:
    claims: int
    rows: dict[str, int] = field(default_factory=dict)


def _period(rng: random.Random) -> tuple[dt.date, dt.date, str]:
    day = dt.date.fromordinal(rng.randrange(START_DAY, END_DAY + 1))
    roll = rng.random()
    if roll < 0.80:
        return day, day, "day"
    if roll < 0.95:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last), "month"
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year"


class Corpus:
    """Generates the corpus in chunks of rows per table, deterministically."""

    def __init__(self, claims: int, seed: int) -> None:
        if claims < 1:
            raise ValueError("claims must be at least 1")
        self.claims = claims
        self.rng = random.Random(seed)
        self.actor_count = max(20, claims // 100)
        self.actor_names = [self._actor_name(n) for n in range(self.actor_count)]
        # Long tail: actor n is chosen with weight 1 / (n + 1).
        weights = [1.0 / (n + 1) for n in range(self.actor_count)]
        self.cumulative = list(itertools.accumulate(weights))
        self.districts: list[tuple[str, str]] = []

    def _actor_name(self, n: int) -> str:
        if n % 3 == 0:
            return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} Commander {n}"
        return f"{GROUP_WORDS[n % len(GROUP_WORDS)]} {n}"

    def actor_id(self, n: int) -> str:
        return f"{PREFIX}-actor-{n}"

    def outlet_id(self, n: int) -> str:
        return f"{PREFIX}-outlet-{n}"

    def claimant(self) -> int:
        point = self.rng.random() * self.cumulative[-1]
        return min(bisect.bisect_left(self.cumulative, point), self.actor_count - 1)

    def static_rows(self) -> Rows:
        """Actors and the location hierarchy, written before any report."""
        rows: Rows = {"actor": [], "location": [], "search_document": []}
        self.districts = []
        for n, name in enumerate(self.actor_names):
            kind = "person" if n % 3 == 0 else "armed_group"
            aliases = [f"the {name.split()[0].lower()} {n}"]
            description = f"Synthetic {kind.replace('_', ' ')} number {n}."
            rows["actor"].append((self.actor_id(n), name, kind, aliases, description))
            rows["search_document"].append(
                ("actor", self.actor_id(n), None, f"{name}\n{aliases[0]}\n{description}")
            )
        for n, name in enumerate(OUTLETS):
            description = "Synthetic media outlet."
            rows["actor"].append((self.outlet_id(n), name, "media_outlet", [], description))
            rows["search_document"].append(
                ("actor", self.outlet_id(n), None, f"{name}\n{description}")
            )
        for code, country, lat, lon in COUNTRIES:
            country_id = f"{PREFIX}-{code.lower()}"
            rows["location"].append(
                (country_id, country, "country", lat, lon, "country", None, code, [])
            )
            rows["search_document"].append(("location", country_id, None, country))
            for p in range(10):
                province_id = f"{country_id}-p{p}"
                plat, plon = lat + (p - 5) * 0.4, lon + (p % 5 - 2) * 0.5
                name = f"{country} Province {p}"
                rows["location"].append(
                    (province_id, name, "province", plat, plon, "province", country_id, code, [])
                )
                rows["search_document"].append(("location", province_id, None, name))
                for d in range(10):
                    district_id = f"{province_id}-d{d}"
                    name = f"{country} District {p}-{d}"
                    rows["location"].append(
                        (
                            district_id,
                            name,
                            "district",
                            round(plat + (d - 5) * 0.05, 4),
                            round(plon + (d % 5 - 2) * 0.06, 4),
                            "district",
                            province_id,
                            code,
                            [],
                        )
                    )
                    rows["search_document"].append(("location", district_id, None, name))
                    self.districts.append((district_id, name))
        return rows

    def chunks(self) -> Iterator[Rows]:
        if not self.districts:
            self.static_rows()
        report_count = -(-self.claims // CLAIMS_PER_REPORT)
        reports_per_chunk = max(1, CHUNK_CLAIMS // CLAIMS_PER_REPORT)
        claim_number = 0
        for first in range(0, report_count, reports_per_chunk):
            rows: Rows = {table: [] for table in TABLE_ORDER}
            for r in range(first, min(report_count, first + reports_per_chunk)):
                size = min(CLAIMS_PER_REPORT, self.claims - claim_number)
                self._report(rows, r, claim_number, size)
                claim_number += size
            yield rows

    def _report(self, rows: Rows, r: int, first_claim: int, size: int) -> None:
        rng = self.rng
        report_id = f"{PREFIX}-report-{r}"
        parts: list[str] = []
        offset = 0

        def place(text: str) -> tuple[int, int]:
            nonlocal offset
            start = offset
            parts.append(text)
            offset += len(text) + 2  # paragraphs are separated by a blank line
            return start, start + len(text)

        title = f"Synthetic situation report {r}"
        place(title)
        actors_here: set[str] = set()
        locations_here: set[str] = set()
        # The claim flags the importer derives (app.importer.derived), known here already.
        first_row = len(rows["claim"])
        contested: set[int] = set()
        quantified: set[int] = set()
        for c in range(first_claim, first_claim + size):
            claim_id = f"{PREFIX}-claim-{c}"
            claimant = self.claimant()
            claimant_id = self.actor_id(claimant)
            target = rng.randrange(self.actor_count)
            district_id, district_name = self.districts[rng.randrange(len(self.districts))]
            start, until, precision = _period(rng)
            number = rng.randrange(2, 2000)
            verb = VERBS[c % len(VERBS)]
            quote = (
                f"{self.actor_names[claimant]} said {number} fighters of "
                f"{self.actor_names[target]} {verb} positions near {district_name}."
            )
            span = place(quote)
            kind = CLAIM_KINDS[rng.randrange(len(CLAIM_KINDS))]
            channel = CHANNELS[rng.randrange(len(CHANNELS))]
            venue = None
            if channel in WITH_VENUE:
                venue = self.outlet_id(rng.randrange(len(OUTLETS)))
                actors_here.add(venue)
            rows["claim"].append(
                (
                    claim_id,
                    report_id,
                    claimant_id,
                    quote,
                    span[0],
                    span[1],
                    f"{number} fighters {verb} near {district_name}.",
                    kind,
                    channel,
                    venue,
                    start,
                    until,
                    precision,
                    None,
                    STATUSES[rng.randrange(len(STATUSES))],
                )
            )
            rows["search_document"].append(
                (
                    "claim",
                    claim_id,
                    report_id,
                    f"{quote}\n{number} fighters {verb} near {district_name}.",
                )
            )
            rows["claim_actor"].append((claim_id, self.actor_id(target), "target", 0))
            actors_here.update((claimant_id, self.actor_id(target)))
            rows["claim_location"].append((claim_id, district_id, "subject", 0))
            locations_here.add(district_id)
            if rng.random() < 0.3:
                rows["claim_quantity"].append(
                    (claim_id, 0, float(number), "people", "fighters", "approximately", str(number))
                )
                quantified.add(c)
            if c > first_claim and rng.random() < 0.05:
                other = rng.randrange(first_claim, c)
                rows["claim_link"].append((claim_id, f"{PREFIX}-claim-{other}", "contradicts"))
                contested.update((c, other))
            if c % 4 == 0:
                media_id = f"{PREFIX}-media-{c // 4}"
                caption = (
                    f"Fighters of {self.actor_names[target]} near {district_name}, in a photo."
                )
                mspan = place(caption)
                poster = self.actor_id(claimant)
                rows["media"].append(
                    (
                        media_id,
                        report_id,
                        "photo" if c % 8 else "video",
                        caption,
                        mspan[0],
                        mspan[1],
                        poster,
                        "Twitter",
                        start,
                        until,
                        precision,
                        claim_id,
                    )
                )
                rows["media_actor"].append((media_id, self.actor_id(target), "shown", 0))
                rows["media_location"].append((media_id, district_id, 0))
                rows["search_document"].append(("media", media_id, report_id, caption))
            if c % 10 == 0:
                event_id = f"{PREFIX}-event-{c // 10}"
                event_type, sub_type = EVENT_TYPES[rng.randrange(len(EVENT_TYPES))]
                best = rng.randrange(0, 60)
                title_text = f"{sub_type} near {district_name}"
                rows["event"].append(
                    (
                        event_id,
                        report_id,
                        title_text,
                        event_type,
                        sub_type,
                        start,
                        until,
                        precision,
                        district_id,
                        max(0, best - 5),
                        best,
                        best + 5,
                    )
                )
                rows["event_actor"].append((event_id, claimant_id, "attacker", 0))
                if target != claimant:
                    rows["event_actor"].append((event_id, self.actor_id(target), "defender", 1))
                rows["event_claim"].append((event_id, claim_id, 0))
                rows["search_document"].append(("event", event_id, report_id, title_text))
        for index in range(size):
            row = rows["claim"][first_row + index]
            number_of = first_claim + index
            rows["claim"][first_row + index] = (
                *row,
                number_of in contested,
                number_of in quantified,
            )
        # Every actor gets one relation; each report carries two of them.
        for n in range(r * 2, min(self.actor_count, r * 2 + 2)):
            other = (n * 7 + 3) % self.actor_count
            if other == n:
                continue
            sentence = f"{self.actor_names[n]} is allied with {self.actor_names[other]}."
            rspan = place(sentence)
            rows["actor_relation"].append(
                (
                    f"{PREFIX}-relation-{n}",
                    report_id,
                    self.actor_id(n),
                    "allied_with",
                    self.actor_id(other),
                    sentence,
                    rspan[0],
                    rspan[1],
                )
            )
            actors_here.update((self.actor_id(n), self.actor_id(other)))
        body = "\n\n".join(parts)
        published = dt.date.fromordinal(START_DAY + (r * 37) % (END_DAY - START_DAY))
        rows["report"].append(
            (
                report_id,
                title,
                "Synthetic Wire",
                published,
                "Synthetic: the date is drawn, not established.",
                "en",
                [],
                body,
                hashlib.sha256(body.encode("utf-8")).hexdigest(),
                f"{report_id}.txt",
            )
        )
        rows["search_document"].append(("report", report_id, report_id, title))
        rows["report_actor"].extend((report_id, a) for a in sorted(actors_here))
        with_parents = set(locations_here)
        for location_id in locations_here:
            province = location_id.rsplit("-d", 1)[0]
            with_parents.update((province, province.rsplit("-p", 1)[0]))
        rows["report_location"].extend((report_id, loc) for loc in sorted(with_parents))


@contextmanager
def _rollback_journal(conn: Connection) -> Iterator[None]:
    """On SQLite, while no other connection has the database open, the load writes through a
    rollback journal instead of the WAL: new pages need no journal, so each is written once
    instead of to the WAL and again at the checkpoint (1M claims: 86.6 s became 72.9 s).
    A kill mid-way still leaves the database as it was (the journal is rolled back when it
    is next opened). With a reader present the mode cannot change, and the load keeps the
    WAL. The WAL comes back at the end."""
    if conn.dialect.name != "sqlite":
        yield
        return
    # Only when nobody else has the database open: a moment's wait for a passing reader, no
    # more (a server that reads the database keeps it open).
    busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    conn.exec_driver_sql(f"PRAGMA busy_timeout={JOURNAL_SWITCH_WAIT_MS}")
    try:
        mode = conn.exec_driver_sql("PRAGMA journal_mode=DELETE").scalar_one()
    except OperationalError:  # another connection holds a lock: keep the WAL
        mode = "wal"
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy)}")
        conn.commit()
    try:
        yield
    finally:
        if str(mode).lower() == "delete":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()


def synthesize(
    engine: Engine,
    *,
    claims: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
) -> SynthSummary:
    """Generate and load the corpus in one transaction, indexes rebuilt once at the end: all of
    it or nothing, even when the process is killed (the dropped indexes, triggers and foreign
    keys come back with the rollback). Waits for a running import like `seed` does. Every
    item is stamped `updated_at = now` (default: the current UTC time)."""
    corpus = Corpus(claims, seed)
    given = None if now is None else as_utc(now)
    tables: dict[str, Table] = {
        name: table for name, table in Base.metadata.tables.items() if name in COLUMNS
    }
    # Item tables: their rows get the run's time as `updated_at`.
    stamped = {name for name, table in tables.items() if "updated_at" in table.c}
    summary = SynthSummary(claims=claims)
    with engine.connect() as outer, _rollback_journal(outer), outer.begin():
        conn = outer
        take_import_lock(conn, wait=lock_wait, on_wait=on_wait)
        stamp = utc_now() if given is None else given
        existing = conn.execute(
            select(func.count()).select_from(Claim).where(Claim.id.like(f"{PREFIX}-%"))
        ).scalar_one()
        if existing:
            raise ValueError(
                f"the database already holds a synthetic corpus ({existing} claims): "
                "synthesize into a fresh database"
            )
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -262144")
        with deferred_indexes(conn, list(COLUMNS)):
            for chunk in itertools.chain([corpus.static_rows()], corpus.chunks()):
                for table_name in TABLE_ORDER:
                    rows = chunk.get(table_name)
                    if rows and table_name == "search_document":
                        rows = [(*row, *index_terms(row[3])) for row in rows]
                    if rows:
                        columns = COLUMNS[table_name]
                        if table_name in stamped:
                            rows = [(*row, stamp) for row in rows]
                            columns = (*columns, "updated_at")
                        insert_rows(conn, tables[table_name], columns, rows)
                        summary.rows[table_name] = summary.rows.get(table_name, 0) + len(rows)
                if progress:
                    progress(len(chunk.get("claim", [])))
        # The claim flags came with the rows: only the facet counts are left to derive.
        refresh_facet_counts(conn, FACET_SETS)
    if engine.dialect.name == "postgresql":
        # Mark the fresh pages all-visible (and gather statistics), so that index-only scans
        # need not visit the table: autovacuum would, but later and at a time of its choosing.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
    return summary
