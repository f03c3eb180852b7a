"""Writing validated bundles: one transaction per run, idempotent, ids kept stable.

Entities with ids (reports, actors, locations, relations, claims, media, events) are upserted,
so a re-import keeps every id and an edited YAML updates its rows in place. Rows a bundle no
longer declares are deleted. Link rows (roles, quantities, claim links) have composite keys
and are rewritten for the report's own entities.

Every run stamps one time (`now`): items it inserts or changes get it as `updated_at`, items
it removes a deletion record (app.importer.stamps).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.query.search_language import index_terms
from app.core.query.sync import as_utc, utc_now
from app.importer.audit import COMMAND_LINE, Author, record_write
from app.importer.bulk import insert_rows
from app.importer.bundle import INLINE, Bundle
from app.importer.changes import EntityChanges, Snapshot, compare, reach, snapshot
from app.importer.derived import DERIVED_NOTE, refresh_derived
from app.importer.export import report_version
from app.importer.lock import DEFAULT_LOCK_WAIT, take_import_lock
from app.importer.stamps import LinkSet, links_touching, record_changes
from app.importer.validate import (
    ImportFailed,
    ImportIssue,
    PreparedBundle,
    check_against_database,
    discover,
    fuzzy,
    read_bundle,
    referenced_actors,
    referenced_locations,
)
from app.models import (
    Actor,
    ActorRelation,
    Base,
    Claim,
    ClaimActor,
    ClaimLink,
    ClaimLocation,
    ClaimQuantity,
    Event,
    EventActor,
    EventClaim,
    Location,
    Media,
    MediaActor,
    MediaLocation,
    Report,
    ReportActor,
    ReportLocation,
    SearchDocument,
)

Progress = Callable[[int], None]
# Called once the import lock is held, with each report's version before the write (None: a
# new report): it may refuse the write by raising (a precondition, an ownership rule).
Guard = Callable[[Connection, dict[str, str | None]], None]

COUNTED: dict[str, type[Base]] = {
    "reports": Report,
    "actors": Actor,
    "locations": Location,
    "relations": ActorRelation,
    "claims": Claim,
    "media": Media,
    "events": Event,
}


class DryRun(Exception):
    """Raised inside a dry run's transaction to roll it back, carrying what it would do."""

    def __init__(self, summary: "ImportSummary") -> None:
        super().__init__("dry run")
        self.summary = summary


class ReportNotFound(LookupError):
    """No report has the id asked for."""


class ReportReferenced(Exception):
    """A report whose claims other reports' claims link to: deleting it would silently drop
    those links. `links`: (source claim, its report, kind, target claim of this report)."""

    def __init__(self, links: list[tuple[str, str, str, str]]) -> None:
        super().__init__(f"{len(links)} links from other reports")
        self.links = links


class ReportExists(Exception):
    """Reports already in the database, where only new ones were asked for."""

    def __init__(self, report_ids: list[str]) -> None:
        super().__init__(", ".join(report_ids))
        self.report_ids = report_ids


@dataclass
class ImportSummary:
    files: list[Path] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    declared: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    # Per entity: how many the run inserted, updated, left unchanged and removed.
    changes: dict[str, EntityChanges] = field(default_factory=dict)
    # Each report's version (app.importer.export) before and after the run; None: absent.
    before: dict[str, str | None] = field(default_factory=dict)
    after: dict[str, str | None] = field(default_factory=dict)
    dry_run: bool = False


def table_counts(conn: Connection) -> dict[str, int]:
    return {
        name: int(conn.execute(select(func.count()).select_from(model)).scalar_one())
        for name, model in COUNTED.items()
    }


def prepare(paths: Iterable[Path], engine: Engine | None = None) -> list[PreparedBundle]:
    """Read and validate every bundle; raise ImportFailed with all issues found (with
    `engine`, those the database reveals too: unknown references, ids of other reports)."""
    files = discover(paths)
    issues: list[ImportIssue] = []
    if not files:
        raise ImportFailed([ImportIssue(file="(none)", message="no bundle files (*.yaml) found")])
    prepared: list[PreparedBundle] = []
    for path in files:
        if not path.exists():
            issues.append(ImportIssue(file=str(path.name), message="no such file"))
            continue
        item, found = read_bundle(path)
        issues.extend(found)
        if item is not None:
            prepared.append(item)
    if issues:
        raise (
            ImportFailed(issues, prepared)
            if engine is None
            else every_problem(engine, issues, prepared)
        )
    return prepared


def every_problem(
    engine: Engine, issues: Sequence[ImportIssue], partial: Sequence[PreparedBundle]
) -> ImportFailed:
    """The failure of a run whose bundles have problems of their own: with what the database
    checks find in what could be read of them, so that one run reports every problem."""
    found = list(issues)
    if partial:
        with engine.connect() as conn:
            found += check_against_database(conn, partial)
    found.sort(key=lambda issue: (issue.file, issue.line or 0))
    return ImportFailed(found, partial)


def import_paths(
    engine: Engine,
    paths: Iterable[Path],
    *,
    progress: Progress | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Validate and load bundles in one transaction: all of them, or nothing. One import runs
    at a time: a second one waits for the first (up to `lock_wait` seconds, see `lock`).

    `now` is the time the run stamps on what it changes (`updated_at`, `deleted_at`): the
    current UTC time unless given (tests and the OpenAPI examples give a fixed one)."""
    return import_prepared(
        engine,
        prepare(paths, engine),
        progress=progress,
        lock_wait=lock_wait,
        on_wait=on_wait,
        now=now,
    )


def import_prepared(
    engine: Engine,
    prepared: list[PreparedBundle],
    *,
    progress: Progress | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT,
    on_wait: Callable[[], None] | None = None,
    now: dt.datetime | None = None,
    new_reports_only: bool = False,
    author: Author = COMMAND_LINE,
    guard: Guard | None = None,
    dry_run: bool = False,
    on_commit: Callable[[Connection, "ImportSummary"], None] | None = None,
) -> ImportSummary:
    """Load bundles already read and validated (`prepare`, `read_bundle_source`) in one
    transaction, as `import_paths` does, with one audit entry per report (`author`).
    `new_reports_only`: a report whose id is in the database already is refused
    (`ReportExists`), with nothing written. `guard` may refuse the write once the lock is
    held. `dry_run`: everything is done and counted, then rolled back. `on_commit` runs last
    in the transaction, with the summary (what it writes commits with the import, or not)."""
    given = None if now is None else as_utc(now)
    try:
        with engine.begin() as conn:
            summary = _import_in(
                conn,
                prepared,
                progress=progress,
                lock_wait=lock_wait,
                on_wait=on_wait,
                given=given,
                new_reports_only=new_reports_only,
                author=author,
                guard=guard,
            )
            if on_commit is not None and not dry_run:
                on_commit(conn, summary)
            if dry_run:
                summary.dry_run = True
                raise DryRun(summary)
    except DryRun as rolled_back:
        return rolled_back.summary
    return summary


def _import_in(
    conn: Connection,
    prepared: list[PreparedBundle],
    *,
    progress: Progress | None,
    lock_wait: float,
    on_wait: Callable[[], None] | None,
    given: dt.datetime | None,
    new_reports_only: bool,
    author: Author,
    guard: Guard | None,
) -> ImportSummary:
    take_import_lock(conn, wait=lock_wait, on_wait=on_wait)
    report_ids = [item.bundle.report.id for item in prepared]
    existing = _existing_reports(conn, report_ids)
    if new_reports_only and existing:
        raise ReportExists(sorted(existing))
    before = {
        report_id: report_version(conn, report_id) if report_id in existing else None
        for report_id in report_ids
    }
    if guard is not None:
        guard(conn, before)
    # Read once the lock is held: imports run one at a time, so each stamps a later time
    # than every import committed before it (what a sync client's `updated_since` needs).
    stamp = utc_now() if given is None else given
    issues = check_against_database(conn, prepared)
    if issues:
        raise ImportFailed(issues)
    in_reach = reach(conn, prepared)
    state_before = snapshot(conn, in_reach)
    links_before = links_touching(conn, in_reach["claims"])
    for item in prepared:
        load_bundle(conn, item, now=stamp, progress=progress)
    _refresh_statistics(conn, sum(entity_count(item.bundle) for item in prepared))
    new_reports = [report_id for report_id in report_ids if report_id not in existing]
    if author.key_id is not None and new_reports:
        conn.execute(
            update(Report).where(Report.id.in_(new_reports)).values(created_by_key_id=author.key_id)
        )
    changes = _settle(conn, in_reach, state_before, links_before, now=stamp)
    after = {report_id: report_version(conn, report_id) for report_id in report_ids}
    for report_id in report_ids:
        record_write(
            conn,
            author=author,
            action="replace" if report_id in existing else "create",
            report_id=report_id,
            changes=changes,
            before=before[report_id],
            after=after[report_id],
            now=stamp,
        )
    totals = table_counts(conn)
    declared: dict[str, int] = {"reports": len(prepared)}
    for name in ("actors", "locations", "relations", "claims", "media", "events"):
        declared[name] = sum(len(getattr(item.bundle, name)) for item in prepared)
    return ImportSummary(
        files=[item.path for item in prepared],
        reports=report_ids,
        declared=declared,
        totals=totals,
        changes=changes,
        before=before,
        after=after,
    )


# Rows a run writes beyond which PostgreSQL's statistics are refreshed in the transaction.
ANALYZE_AFTER = 5_000
ANALYZED_TABLES = (
    "claim",
    "claim_actor",
    "claim_location",
    "claim_quantity",
    "claim_link",
    "media",
    "event",
    "actor",
    "location",
    "search_document",
)


def _refresh_statistics(conn: Connection, written: int) -> None:
    """After a large load, PostgreSQL's planner still believes the tables as small as they
    were, and reads the thousands of rows the run checks next (its snapshot, its stamps) by
    scanning whole tables: measured, 17 of 29 s of a 20,000-claim bundle's import into a
    fresh database. ANALYZE (a sample, inside the transaction) sets it right."""
    if conn.dialect.name == "postgresql" and written > ANALYZE_AFTER:
        conn.exec_driver_sql("ANALYZE " + ", ".join(ANALYZED_TABLES))


def _settle(
    conn: Connection,
    in_reach: dict[str, set[str]],
    state_before: Snapshot,
    links_before: LinkSet,
    *,
    now: dt.datetime,
) -> dict[str, EntityChanges]:
    """After a load or a deletion: orphans collected, derived data refreshed, and what
    changed counted, stamped and logged (app.importer.stamps)."""
    collected = _collect_orphans(conn)
    refresh_derived(conn)
    state_after = snapshot(conn, in_reach)
    record_changes(
        conn,
        before=state_before,
        after=state_after,
        links_before=links_before,
        links_after=links_touching(conn, in_reach["claims"]),
        collected=collected,
        now=now,
    )
    return compare(state_before, state_after)


def _existing_reports(conn: Connection, report_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(set(report_ids))
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(conn.execute(select(Report.id).where(Report.id.in_(chunk))).scalars())
    return found


def delete_report(
    engine: Engine,
    report_id: str,
    *,
    lock_wait: float = DEFAULT_LOCK_WAIT,
    now: dt.datetime | None = None,
    author: Author = COMMAND_LINE,
    guard: Guard | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Delete a report in one transaction, under the import lock: its claims, media, events
    and relations, and the actors and places no other report mentions; each removed item
    gets a deletion record (`/v1/deleted`) and the run an audit entry. Refused, with nothing
    written, when other reports' claims link to its claims (`ReportReferenced`)."""
    given = None if now is None else as_utc(now)
    try:
        with engine.begin() as conn:
            summary = _delete_in(
                conn, report_id, lock_wait=lock_wait, given=given, author=author, guard=guard
            )
            if dry_run:
                summary.dry_run = True
                raise DryRun(summary)
    except DryRun as rolled_back:
        return rolled_back.summary
    return summary


def _delete_in(
    conn: Connection,
    report_id: str,
    *,
    lock_wait: float,
    given: dt.datetime | None,
    author: Author,
    guard: Guard | None,
) -> ImportSummary:
    take_import_lock(conn, wait=lock_wait)
    version = report_version(conn, report_id)
    if version is None:
        raise ReportNotFound(report_id)
    if guard is not None:
        guard(conn, {report_id: version})
    own_claims = select(Claim.id).where(Claim.report_id == report_id).scalar_subquery()
    incoming = conn.execute(
        select(ClaimLink.source_id, Claim.report_id, ClaimLink.kind, ClaimLink.target_id)
        .join(Claim, Claim.id == ClaimLink.source_id)
        .where(
            ClaimLink.target_id.in_(own_claims),
            Claim.report_id != report_id,
            or_(ClaimLink.note.is_(None), ClaimLink.note != DERIVED_NOTE),
        )
        .order_by(ClaimLink.source_id, ClaimLink.kind, ClaimLink.target_id)
    ).all()
    if incoming:
        raise ReportReferenced([tuple(row) for row in incoming])  # type: ignore[misc]
    stamp = utc_now() if given is None else given
    in_reach = reach(conn, [], deleted=[report_id])
    state_before = snapshot(conn, in_reach)
    links_before = links_touching(conn, in_reach["claims"])

    own_media = select(Media.id).where(Media.report_id == report_id).scalar_subquery()
    own_events = select(Event.id).where(Event.report_id == report_id).scalar_subquery()
    conn.execute(delete(SearchDocument).where(SearchDocument.report_id == report_id))
    for model, owner, owned in (
        (EventActor, EventActor.event_id, own_events),
        (EventClaim, EventClaim.event_id, own_events),
        (MediaActor, MediaActor.media_id, own_media),
        (MediaLocation, MediaLocation.media_id, own_media),
        (ClaimActor, ClaimActor.claim_id, own_claims),
        (ClaimLocation, ClaimLocation.claim_id, own_claims),
        (ClaimQuantity, ClaimQuantity.claim_id, own_claims),
        (ClaimLink, ClaimLink.source_id, own_claims),
        (ClaimLink, ClaimLink.target_id, own_claims),
    ):
        conn.execute(delete(model).where(owner.in_(owned)))
    for item_model in (Event, Media, Claim, ActorRelation):
        conn.execute(delete(item_model).where(item_model.report_id == report_id))
    conn.execute(delete(ReportActor).where(ReportActor.report_id == report_id))
    conn.execute(delete(ReportLocation).where(ReportLocation.report_id == report_id))
    conn.execute(delete(Report).where(Report.id == report_id))
    # What it declared and other reports still use passes to the first of them (by id).
    _rehome(conn, report_id)

    changes = _settle(conn, in_reach, state_before, links_before, now=stamp)
    record_write(
        conn,
        author=author,
        action="delete",
        report_id=report_id,
        changes=changes,
        before=version,
        after=None,
        now=stamp,
    )
    return ImportSummary(
        reports=[report_id],
        totals=table_counts(conn),
        changes=changes,
        before={report_id: version},
        after={report_id: None},
    )


def entity_count(bundle: Bundle) -> int:
    return 1 + sum(
        len(getattr(bundle, name))
        for name in ("actors", "locations", "relations", "claims", "media", "events")
    )


def _upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    now: dt.datetime | None = None,
) -> None:
    """Insert or update `rows` by primary key. An item table's new rows get `updated_at =
    now`; an existing row keeps its time here (app.importer.stamps moves it if it changed)."""
    if not rows:
        return
    if "updated_at" in table.c:
        assert now is not None, f"{table.name} rows need the import's time"
        rows = [{**row, "updated_at": now} for row in rows]
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    keys = [column.name for column in table.primary_key.columns]
    updates = {
        name: statement.excluded[name]
        for name in rows[0]
        if name not in keys and name != "updated_at"
    }
    if updates:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), 1000):
        conn.execute(statement, list(rows[start : start + 1000]))


def _insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        columns = list(rows[0])
        insert_rows(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def load_bundle(
    conn: Connection,
    item: PreparedBundle,
    *,
    now: dt.datetime,
    progress: Progress | None = None,
) -> None:
    bundle = item.bundle
    report = bundle.report
    report_id = report.id
    published = fuzzy(report.published_on)
    assert published is not None
    _upsert(
        conn,
        _table(Actor),
        [
            {
                "id": actor.id,
                "name": actor.name,
                "kind": actor.kind.value,
                "aliases": actor.aliases,
                "description": actor.description,
                "affiliation": actor.affiliation,
                "nationality": actor.nationality,
            }
            for actor in bundle.actors
        ],
        now=now,
    )
    _upsert(
        conn,
        _table(Location),
        [_location_row(loc) for loc in _parents_first(bundle)],
        now=now,
    )
    # After the actors: the report refers to its outlet.
    _upsert(
        conn,
        _table(Report),
        [
            {
                "id": report_id,
                "title": report.title,
                "headline": report.headline,
                "publisher": report.publisher,
                "publisher_id": report.outlet,
                "publisher_note": report.publisher_note,
                "author": report.author,
                "published_on": published.start,
                "published_on_note": report.published_on_note,
                "url": report.url,
                "language": report.language,
                "summary": item.summary,
                "body": item.text,
                "body_sha256": item.sha256,
                # Where the text came from: its file (named even when the text is inline).
                "source_file": report.text_file if report.text_file is not None else INLINE,
            }
        ],
        now=now,
    )
    _claim_declarations(conn, bundle)
    if progress:
        progress(1 + len(bundle.actors) + len(bundle.locations))

    # Which actors and locations this report mentions.
    conn.execute(delete(ReportActor).where(ReportActor.report_id == report_id))
    _insert(
        conn,
        _table(ReportActor),
        [{"report_id": report_id, "actor_id": a} for a in sorted(referenced_actors(bundle))],
    )
    conn.execute(delete(ReportLocation).where(ReportLocation.report_id == report_id))
    location_ids = _with_ancestors(conn, referenced_locations(bundle))
    _insert(
        conn,
        _table(ReportLocation),
        [{"report_id": report_id, "location_id": loc} for loc in sorted(location_ids)],
    )

    relation_rows = []
    for relation in bundle.relations:
        quote, span = item.quoted("relations", relation.key)
        relation_rows.append(
            {
                "id": relation.key,
                "report_id": report_id,
                "subject_id": relation.subject,
                "kind": relation.kind.value,
                "object_id": relation.object,
                "quote": quote,
                "span_start": span.start,
                "span_end": span.end,
            }
        )
    _upsert(conn, _table(ActorRelation), relation_rows)
    _delete_stale(conn, ActorRelation, report_id, {str(row["id"]) for row in relation_rows})
    if progress:
        progress(len(bundle.relations))

    claim_rows = []
    for claim in bundle.claims:
        quote, span = item.quoted("claims", claim.id)
        stated = fuzzy(claim.stated_on)
        claim_rows.append(
            {
                "id": claim.id,
                "report_id": report_id,
                "claimant_id": claim.claimant,
                "quote": quote,
                "span_start": span.start,
                "span_end": span.end,
                "statement": claim.statement,
                "kind": claim.kind.value,
                "channel": claim.channel.value,
                "venue_id": claim.venue,
                "stated_on": stated.start if stated else None,
                "stated_until": stated.end if stated else None,
                "stated_on_precision": stated.precision.value if stated else None,
                "stated_on_text": claim.stated_on_text,
                "status": claim.status.value,
            }
        )
    _upsert(conn, _table(Claim), claim_rows, now=now)
    own_claims = select(Claim.id).where(Claim.report_id == report_id).scalar_subquery()
    claim_children: tuple[Any, ...] = (ClaimActor, ClaimLocation, ClaimQuantity)
    for model in claim_children:
        conn.execute(delete(model).where(model.claim_id.in_(own_claims)))
    conn.execute(delete(ClaimLink).where(ClaimLink.source_id.in_(own_claims)))
    _insert(
        conn,
        _table(ClaimActor),
        [
            {"claim_id": c.id, "actor_id": ref.id, "role": ref.role.value, "position": n}
            for c in bundle.claims
            for n, ref in enumerate(c.actors)
        ],
    )
    _insert(
        conn,
        _table(ClaimLocation),
        [
            {"claim_id": c.id, "location_id": ref.id, "role": ref.role.value, "position": n}
            for c in bundle.claims
            for n, ref in enumerate(c.locations)
        ],
    )
    _insert(
        conn,
        _table(ClaimQuantity),
        [
            {
                "claim_id": c.id,
                "position": n,
                "value": q.value,
                "unit": q.unit,
                "counted": q.counted,
                "qualifier": q.qualifier.value,
                "text": q.text,
            }
            for c in bundle.claims
            for n, q in enumerate(c.quantities)
        ],
    )
    _insert(
        conn,
        _table(ClaimLink),
        [
            {"source_id": c.id, "target_id": target, "kind": kind, "note": None}
            for c in bundle.claims
            for kind, targets in (
                ("contradicts", c.contradicts),
                ("supports", c.supports),
                ("restates", c.restates),
            )
            for target in dict.fromkeys(targets)
        ],
    )
    if progress:
        progress(len(bundle.claims))

    media_rows = []
    for media in bundle.media:
        caption, span = item.quoted("media", media.id)
        posted = fuzzy(media.posted_on)
        media_rows.append(
            {
                "id": media.id,
                "report_id": report_id,
                "kind": media.kind.value,
                "caption": caption,
                "span_start": span.start,
                "span_end": span.end,
                "posted_by_id": media.posted_by,
                "credit": media.credit,
                "platform": media.platform,
                "posted_on": posted.start if posted else None,
                "posted_until": posted.end if posted else None,
                "posted_on_precision": posted.precision.value if posted else None,
                "posted_on_text": media.posted_on_text,
                "claim_id": media.claim,
            }
        )
    _upsert(conn, _table(Media), media_rows, now=now)
    own_media = select(Media.id).where(Media.report_id == report_id).scalar_subquery()
    conn.execute(delete(MediaActor).where(MediaActor.media_id.in_(own_media)))
    conn.execute(delete(MediaLocation).where(MediaLocation.media_id.in_(own_media)))
    _insert(
        conn,
        _table(MediaActor),
        [
            {"media_id": m.id, "actor_id": ref.id, "role": ref.role.value, "position": n}
            for m in bundle.media
            for n, ref in enumerate(m.actors)
        ],
    )
    _insert(
        conn,
        _table(MediaLocation),
        [
            {"media_id": m.id, "location_id": loc, "position": n}
            for m in bundle.media
            for n, loc in enumerate(dict.fromkeys(m.locations))
        ],
    )
    if progress:
        progress(len(bundle.media))

    event_rows = []
    for event in bundle.events:
        when = fuzzy(event.date)
        assert when is not None
        event_rows.append(
            {
                "id": event.id,
                "report_id": report_id,
                "title": event.title,
                "description": event.description,
                "event_type": event.event_type,
                "sub_event_type": event.sub_event_type,
                "date": when.start,
                "date_until": when.end,
                "date_precision": when.precision.value,
                "date_text": event.date_text,
                "location_id": event.location,
                "fatalities_low": event.fatalities.low,
                "fatalities_best": event.fatalities.best,
                "fatalities_high": event.fatalities.high,
            }
        )
    _upsert(conn, _table(Event), event_rows, now=now)
    own_events = select(Event.id).where(Event.report_id == report_id).scalar_subquery()
    conn.execute(delete(EventActor).where(EventActor.event_id.in_(own_events)))
    conn.execute(delete(EventClaim).where(EventClaim.event_id.in_(own_events)))
    _insert(
        conn,
        _table(EventActor),
        [
            {"event_id": e.id, "actor_id": ref.id, "role": ref.role.value, "position": n}
            for e in bundle.events
            for n, ref in enumerate(e.actors)
        ],
    )
    _insert(
        conn,
        _table(EventClaim),
        [
            {"event_id": e.id, "claim_id": claim_id, "position": n}
            for e in bundle.events
            for n, claim_id in enumerate(dict.fromkeys(e.claims))
        ],
    )
    _delete_stale(conn, Event, report_id, {str(row["id"]) for row in event_rows})
    _delete_stale(conn, Media, report_id, {str(row["id"]) for row in media_rows})
    _delete_stale(conn, Claim, report_id, {str(row["id"]) for row in claim_rows})
    _write_search_documents(conn, item)
    if progress:
        progress(len(bundle.events))


def _claim_declarations(conn: Connection, bundle: Bundle) -> None:
    """The report declares the actors and places of its bundle that no other report holds;
    those it held and declares no longer are free again (validate._check_declarations)."""
    report_id = bundle.report.id
    for model, declared in (
        (Actor, sorted(actor.id for actor in bundle.actors)),
        (Location, sorted(location.id for location in bundle.locations)),
    ):
        held = set(conn.execute(select(model.id).where(model.declared_by == report_id)).scalars())
        for start in range(0, len(declared), 500):
            chunk = declared[start : start + 500]
            conn.execute(
                update(model)
                .where(model.id.in_(chunk), model.declared_by.is_(None))
                .values(declared_by=report_id)
            )
        released = held - set(declared)
        if released:
            _rehome(conn, report_id, {model: released})


def _rehome(conn: Connection, report_id: str, released: dict[Any, set[str]] | None = None) -> None:
    """Actors and places `report_id` held and declares no longer (all it held, or those in
    `released`) pass to the first other report (by id) that mentions them, or to none."""
    for model, mentions, column in (
        (Actor, ReportActor, ReportActor.actor_id),
        (Location, ReportLocation, ReportLocation.location_id),
    ):
        if released is not None and model not in released:
            continue
        successor = (
            select(func.min(mentions.report_id))
            .where(column == model.id, mentions.report_id != report_id)
            .scalar_subquery()
        )
        statement = (
            update(model).where(model.declared_by == report_id).values(declared_by=successor)
        )
        if released is None:
            conn.execute(statement)
            continue
        ordered = sorted(released[model])
        for start in range(0, len(ordered), 500):
            conn.execute(statement.where(model.id.in_(ordered[start : start + 500])))


def _joined(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _write_search_documents(conn: Connection, item: PreparedBundle) -> None:
    """The text full-text search looks at, one document per entity."""
    bundle = item.bundle
    report_id = bundle.report.id
    shared = [
        {
            "entity_type": "actor",
            "entity_id": actor.id,
            "report_id": None,
            "content": _joined(actor.name, *actor.aliases, actor.description),
        }
        for actor in bundle.actors
    ] + [
        {
            "entity_type": "location",
            "entity_id": location.id,
            "report_id": None,
            "content": _joined(location.name, *location.aliases, location.description),
        }
        for location in bundle.locations
    ]
    _upsert(conn, _table(SearchDocument), _with_terms(shared))
    conn.execute(delete(SearchDocument).where(SearchDocument.report_id == report_id))
    owned = [
        {
            "entity_type": "report",
            "entity_id": report_id,
            "report_id": report_id,
            "content": _joined(bundle.report.title, bundle.report.headline, *item.summary),
        }
    ]
    for claim in bundle.claims:
        quote, _ = item.quoted("claims", claim.id)
        owned.append(
            {
                "entity_type": "claim",
                "entity_id": claim.id,
                "report_id": report_id,
                "content": _joined(quote, claim.statement),
            }
        )
    for media in bundle.media:
        caption, _ = item.quoted("media", media.id)
        owned.append(
            {
                "entity_type": "media",
                "entity_id": media.id,
                "report_id": report_id,
                "content": caption,
            }
        )
    owned += [
        {
            "entity_type": "event",
            "entity_id": event.id,
            "report_id": report_id,
            "content": _joined(event.title, event.description),
        }
        for event in bundle.events
    ]
    _insert(conn, _table(SearchDocument), _with_terms(owned))


def _with_terms(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search documents with their tokens, which full text indexes on both engines."""
    for row in rows:
        row["terms"], row["term_count"] = index_terms(row["content"])
    return rows


def _delete_stale(conn: Connection, model: Any, report_id: str, keep: set[str]) -> None:
    current = set(conn.execute(select(model.id).where(model.report_id == report_id)).scalars())
    stale = sorted(current - keep)
    for start in range(0, len(stale), 500):
        conn.execute(delete(model).where(model.id.in_(stale[start : start + 500])))


def _location_row(location: Any) -> dict[str, Any]:
    return {
        "id": location.id,
        "name": location.name,
        "kind": location.kind.value,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "precision": location.precision.value,
        "parent_id": location.parent,
        "country_code": location.country_code,
        "aliases": location.aliases,
        "description": location.description,
    }


def _parents_first(bundle: Bundle) -> list[Any]:
    by_id = {location.id: location for location in bundle.locations}
    ordered: list[Any] = []
    placed: set[str] = set()

    def place(location_id: str) -> None:
        if location_id in placed or location_id not in by_id:
            return
        placed.add(location_id)
        parent = by_id[location_id].parent
        if parent is not None:
            place(parent)
        ordered.append(by_id[location_id])

    for location in bundle.locations:
        place(location.id)
    return ordered


def _with_ancestors(conn: Connection, location_ids: set[str]) -> set[str]:
    found = set(location_ids)
    frontier = set(location_ids)
    while frontier:
        parents = set(
            conn.execute(
                select(Location.parent_id).where(
                    Location.id.in_(sorted(frontier)), Location.parent_id.is_not(None)
                )
            ).scalars()
        )
        frontier = {p for p in parents if p is not None} - found
        found |= frontier
    return found


def _collect_orphans(conn: Connection) -> dict[str, set[str]]:
    """Drop actors and locations that no report mentions any longer; their ids, by collection."""
    orphaned_actors = Actor.id.not_in(select(ReportActor.actor_id))
    collected = {
        "actors": set(conn.execute(select(Actor.id).where(orphaned_actors)).scalars()),
        "locations": set(),
    }
    conn.execute(delete(Actor).where(orphaned_actors))
    # A place no report mentions goes, unless a place that stays has it as its parent (a
    # place re-parented by one report, whose old parent another's rows still name); a chain
    # of such places goes leaf first.
    while True:
        parents = select(Location.parent_id).where(Location.parent_id.is_not(None))
        orphaned_locations = Location.id.not_in(
            select(ReportLocation.location_id)
        ) & Location.id.not_in(parents)
        gone = set(conn.execute(select(Location.id).where(orphaned_locations)).scalars())
        if not gone:
            break
        collected["locations"] |= gone
        for chunk_start in range(0, len(gone), 500):
            chunk = sorted(gone)[chunk_start : chunk_start + 500]
            conn.execute(delete(Location).where(Location.id.in_(chunk)))
    for entity_type, model in (("actor", Actor), ("location", Location)):
        conn.execute(
            delete(SearchDocument).where(
                SearchDocument.entity_type == entity_type,
                SearchDocument.entity_id.not_in(select(model.id)),
            )
        )
    return collected
