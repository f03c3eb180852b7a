"""Reading and checking seed bundles before anything is written.

Every problem is collected, not just the first, and each names the file, the entity (its
collection, position and id), the field and what is wrong, with a line number where known.
"""

import copy
import difflib
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Connection, select

from app.core.spans import Span, SpanError, TextIndex
from app.importer.bundle import Bundle, FuzzyDate, parse_fuzzy_date
from app.importer.yaml_source import parse_yaml, position_of
from app.models import Actor, ActorRelation, Claim, Event, Location, Media
from app.models.vocab import ActorKind, ClaimChannel

COLLECTIONS = ("actors", "locations", "relations", "claims", "media", "events")


@dataclass(frozen=True, slots=True)
class ImportIssue:
    file: str
    message: str
    entity: str | None = None
    field: str | None = None
    line: int | None = None
    # Where in the document (RFC 6901), and the column of the line (YAML only).
    pointer: str | None = None
    column: int | None = None
    # For an unknown id: the closest known ones.
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.entity:
            parts.append(self.entity)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join([*parts, self.message + did_you_mean(self.suggestions)])


def did_you_mean(suggestions: Sequence[str]) -> str:
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?)"


def closest(unknown: str, known: Iterable[str]) -> tuple[str, ...]:
    """The known ids closest to an unknown one (a typo's likely meaning), best first."""
    return tuple(difflib.get_close_matches(unknown, list(known), n=3, cutoff=0.75))


def json_pointer(loc: Sequence[str | int]) -> str:
    """RFC 6901: each step, `~` and `/` escaped, after a `/`."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in loc)


class ImportFailed(Exception):
    """Raised with every issue found; nothing has been written. `partial`: the bundles as far
    as they could be read (their faulty entities left out), for the checks against the
    database to find what else is wrong in the same run."""

    def __init__(
        self, issues: Sequence[ImportIssue], partial: Sequence["PreparedBundle"] = ()
    ) -> None:
        self.issues = list(issues)
        self.partial = list(partial)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass
class PreparedBundle:
    """A validated bundle with its text and every quote located."""

    path: Path
    bundle: Bundle
    text: str
    sha256: str
    summary: list[str]
    raw: Any = None
    node: Any = None
    spans: dict[tuple[str, str], Span] = field(default_factory=dict)
    # A bundle read in part: per collection, the position in the document of each entity
    # kept (those with schema errors are left out), and the ids of those left out (which
    # references may still name without being "unknown").
    positions: dict[str, list[int]] | None = None
    assumed: dict[str, set[str]] = field(default_factory=dict)
    # What its problems say they are in (a file's path, or "the request body").
    name: str | None = None

    @property
    def where(self) -> str:
        return self.name if self.name is not None else _display(self.path)

    def quoted(self, collection: str, entity_id: str) -> tuple[str, Span]:
        span = self.spans[(collection, entity_id)]
        return self.text[span.start : span.end], span


@dataclass
class _Checker:
    """Collects issues for one file, naming entities the same way everywhere."""

    file: str
    raw: Any
    node: Any
    issues: list[ImportIssue] = field(default_factory=list)
    positions: dict[str, list[int]] | None = None

    def entity_name(self, collection: str, index: int) -> str:
        entity_id = None
        if isinstance(self.raw, dict):
            items = self.raw.get(collection)
            if isinstance(items, list) and 0 <= index < len(items):
                item = items[index]
                if isinstance(item, dict):
                    entity_id = item.get("id")
        suffix = f" (id '{entity_id}')" if entity_id else ""
        return f"{collection}[{index}]{suffix}"

    def add(
        self, loc: Sequence[str | int], message: str, suggestions: tuple[str, ...] = ()
    ) -> None:
        loc = list(loc)
        if (
            self.positions is not None
            and len(loc) >= 2
            and loc[0] in self.positions
            and isinstance(loc[1], int)
            and 0 <= loc[1] < len(self.positions[str(loc[0])])
        ):
            loc[1] = self.positions[str(loc[0])][loc[1]]
        entity: str | None = None
        rest: list[str | int] = loc
        if len(loc) >= 2 and loc[0] in COLLECTIONS and isinstance(loc[1], int):
            entity = self.entity_name(str(loc[0]), loc[1])
            rest = loc[2:]
        elif loc and loc[0] == "report":
            entity = "report"
            rest = loc[1:]
        field_name = ".".join(str(step) for step in rest) or None
        where = position_of(self.node, loc)
        self.issues.append(
            ImportIssue(
                file=self.file,
                entity=entity,
                field=field_name,
                message=message,
                line=None if where is None else where[0],
                column=None if where is None else where[1],
                pointer=json_pointer(loc),
                suggestions=suggestions,
            )
        )


def discover(paths: Iterable[Path]) -> list[Path]:
    """The bundle files named, with folders expanded to the YAML files below them, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")]))
        else:
            found.append(path)
    unique: dict[Path, None] = {}
    for item in found:
        unique.setdefault(item.resolve(), None)
    return list(unique)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path.name


def read_bundle(path: Path) -> tuple[PreparedBundle | None, list[ImportIssue]]:
    """Parse, validate and locate every quote of one bundle file (its text inline or in a
    file beside it)."""
    name = _display(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ImportIssue(file=name, message=f"cannot read the file: {exc}")]
    return read_bundle_source(source, name=name, path=path, text_folder=path.parent)


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def read_bundle_source(
    source: str,
    *,
    name: str,
    path: Path,
    text_folder: Path | None,
    json_text: bool = False,
    max_entities: int | None = None,
) -> tuple[PreparedBundle | None, list[ImportIssue]]:
    """Parse, validate and locate every quote of one bundle given as text (YAML, or JSON with
    `json_text`); `name` is where its issues say they are. A `text_file` is read from
    `text_folder`; without one (a bundle sent over HTTP) the text must be inline. A bundle
    declaring more than `max_entities` entities is refused before they are checked."""
    node = None
    if json_text:
        try:
            raw = json.loads(source)
        except json.JSONDecodeError as exc:
            issue = ImportIssue(file=name, line=exc.lineno, message=f"broken JSON: {exc.msg}")
            return None, [issue]
        except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
            return None, [ImportIssue(file=name, message=f"unreadable JSON: {_brief(exc)}")]
    else:
        try:
            raw, node = parse_yaml(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            message = " ".join(str(exc).split())
            return None, [ImportIssue(file=name, line=line, message=f"broken YAML: {message}")]
        except (ValueError, RecursionError, TypeError) as exc:
            # a number too long, nesting too deep, a list or mapping used as a key
            return None, [ImportIssue(file=name, message=f"unreadable YAML: {_brief(exc)}")]
    checker = _Checker(file=name, raw=raw, node=node)
    if not isinstance(raw, dict):
        checker.add([], "a bundle is a YAML mapping with `report`, `actors`, `claims` …")
        return None, checker.issues
    if max_entities is not None:
        declared = sum(
            len(items) for items in (raw.get(c) for c in COLLECTIONS) if isinstance(items, list)
        )
        if declared > max_entities:
            checker.add(
                [],
                f"the bundle declares {declared:,} actors, locations, relations, claims, media "
                f"and events together; one bundle holds at most {max_entities:,} "
                "(MAX_BUNDLE_ENTITIES): split the report's bundle, or load it with "
                "`conflict-reports seed`",
            )
            return None, checker.issues
    positions: dict[str, list[int]] | None = None
    assumed: dict[str, set[str]] = {}
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors:
            checker.add(list(error["loc"]), error["msg"])
        salvaged = _salvage(raw, errors)
        if salvaged is None:
            return None, checker.issues
        # What is left, checked too: every problem of the bundle in one answer.
        bundle, positions, assumed = salvaged
        checker.positions = positions

    text: str | None = None
    if bundle.report.text is not None:
        text = bundle.report.text
    elif positions is not None and bundle.report.text_file is None:
        pass  # the text itself was faulty: reported above
    elif text_folder is None:
        checker.add(
            ["report", "text_file"],
            "a bundle sent over HTTP carries its text inline, as `report.text`",
        )
    else:
        text_path = text_folder / (bundle.report.text_file or "")
        try:
            # newline="" keeps the text exactly as given, line endings included.
            with text_path.open(encoding="utf-8", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            checker.add(["report", "text_file"], f"cannot read the report text: {exc}")

    prepared = PreparedBundle(
        path=path,
        bundle=bundle,
        text=text or "",
        sha256=hashlib.sha256((text or "").encode("utf-8")).hexdigest(),
        summary=[],
        raw=raw,
        node=node,
        positions=positions,
        assumed=assumed,
        name=name,
    )
    if text is not None:
        _locate_quotes(prepared, checker)
    _check_references(bundle, checker, assumed)
    return prepared, checker.issues


def _locate_quotes(prepared: PreparedBundle, checker: _Checker) -> None:
    """Find every quote, caption and summary bullet in the text (their spans)."""
    bundle, text = prepared.bundle, prepared.text
    index = TextIndex(text)
    for position, bullet in enumerate(bundle.report.summary):
        try:
            span = index.locate(bullet)
            prepared.summary.append(text[span.start : span.end])
        except SpanError as exc:
            checker.add(["report", "summary", position], str(exc))

    located: list[tuple[str, int, str, str, int | None, str]] = []
    located += [
        ("relations", i, r.key, r.quote, r.occurrence, "quote")
        for i, r in enumerate(bundle.relations)
    ]
    located += [
        ("claims", i, c.id, c.quote, c.occurrence, "quote") for i, c in enumerate(bundle.claims)
    ]
    located += [
        ("media", i, m.id, m.caption, m.occurrence, "caption") for i, m in enumerate(bundle.media)
    ]
    for collection, position, entity_id, quote, occurrence, field_name in located:
        try:
            prepared.spans[(collection, entity_id)] = index.locate(quote, occurrence=occurrence)
        except SpanError as exc:
            checker.add([collection, position, field_name], str(exc))


STAND_IN_REPORT_ID = "report-with-problems"
# Stand-ins for a faulty report's required fields, so that the rest of a bundle can still be
# checked (the report's own problems are reported already; nothing is ever written).
_REPORT_STAND_INS: dict[str, Any] = {
    "id": STAND_IN_REPORT_ID,
    "title": "?",
    "publisher": "?",
    "published_on": "2000-01-01",
    "published_on_note": "?",
    "language": "en",
}


def _salvage(
    raw: dict[str, Any], errors: Sequence[Any]
) -> tuple[Bundle, dict[str, list[int]], dict[str, set[str]]] | None:
    """The bundle without what the schema refused: entities with an error left out (their
    positions kept, to name them as the document does), a faulty report field replaced by a
    stand-in, an unknown top-level field dropped. None when even that does not validate."""
    cleaned = copy.copy(raw)
    faulty: dict[str, set[int]] = {name: set() for name in COLLECTIONS}
    report_fields: set[str] = set()
    for error in errors:
        loc = list(error["loc"])
        if not loc:
            return None
        head = loc[0]
        if head in COLLECTIONS:
            if len(loc) >= 2 and isinstance(loc[1], int):
                faulty[str(head)].add(loc[1])
            else:
                cleaned[str(head)] = []  # not a list at all
        elif head == "report":
            report_fields.add(str(loc[1]) if len(loc) >= 2 else "*")
        elif head == "format":
            cleaned["format"] = "conflict-reports/1"
        else:
            cleaned.pop(str(head), None)  # a field the format does not have
    if report_fields:
        # "*": the report as a whole (no text at all, or not a mapping).
        report = raw.get("report")
        if not isinstance(report, dict):
            report = {}
        report = {k: v for k, v in report.items() if k not in report_fields}
        for name, value in _REPORT_STAND_INS.items():
            report.setdefault(name, value)
        if "text" not in report and "text_file" not in report:
            report["text_file"] = None
        cleaned["report"] = report
    positions: dict[str, list[int]] = {}
    assumed: dict[str, set[str]] = {}
    for name in COLLECTIONS:
        items = cleaned.get(name)
        if not isinstance(items, list):
            continue
        kept = [i for i in range(len(items)) if i not in faulty[name]]
        positions[name] = kept
        cleaned[name] = [items[i] for i in kept]
        assumed[name] = {
            str(items[i]["id"])
            for i in faulty[name]
            if isinstance(items[i], dict) and isinstance(items[i].get("id"), str)
        }
    try:
        report_in = cleaned.get("report")
        if isinstance(report_in, dict) and report_in.get("text_file", "") is None:
            # No usable text: validate with a stand-in file name, then forget it.
            report_in = {**report_in, "text_file": "(none)"}
            bundle = Bundle.model_validate({**cleaned, "report": report_in})
            bundle.report.text_file = None
        else:
            bundle = Bundle.model_validate(cleaned)
    except ValidationError:
        return None
    return bundle, positions, assumed


def _check_references(
    bundle: Bundle, checker: _Checker, assumed: dict[str, set[str]] | None = None
) -> None:
    """Ids unique within the bundle; references to things declared in it (or, for actors,
    locations and contradicted claims, already in the database: checked later). `assumed`:
    ids of entities left out for their own errors, which references may name."""
    assumed = assumed or {}
    for collection in COLLECTIONS:
        seen: dict[str, int] = {}
        for position, item in enumerate(getattr(bundle, collection)):
            key = item.key if collection == "relations" else item.id
            if key in seen:
                checker.add(
                    [collection, position, "id"],
                    f"duplicate id '{key}': {collection}[{seen[key]}] already has it",
                )
            else:
                seen[key] = position

    claim_ids = {claim.id for claim in bundle.claims} | assumed.get("claims", set())
    for position, media in enumerate(bundle.media):
        if media.claim is not None and media.claim not in claim_ids:
            checker.add(
                ["media", position, "claim"],
                f"unknown claim '{media.claim}': a media item carries a claim of its own report",
                closest(media.claim, claim_ids),
            )
    for position, event in enumerate(bundle.events):
        for index, claim_id in enumerate(event.claims):
            if claim_id not in claim_ids:
                checker.add(
                    ["events", position, "claims", index],
                    f"unknown claim '{claim_id}': an event is reported by claims of its own report",
                    closest(claim_id, claim_ids),
                )
    for position, claim in enumerate(bundle.claims):
        for link in ("contradicts", "supports", "restates"):
            if claim.id in getattr(claim, link):
                checker.add(["claims", position, link], f"a claim cannot {link[:-1]} itself")
    _check_restatements(bundle, checker, assumed.get("claims", set()))
    _check_own_reporting(bundle, checker)
    _check_outlets(bundle, checker)

    # Parent cycles among the bundle's own locations.
    parents = {location.id: location.parent for location in bundle.locations}
    for position, location in enumerate(bundle.locations):
        seen_ids = {location.id}
        current = location.parent
        while current is not None and current in parents:
            if current in seen_ids:
                checker.add(
                    ["locations", position, "parent"],
                    f"parent chain of '{location.id}' loops back on itself",
                )
                break
            seen_ids.add(current)
            current = parents[current]


def _check_restatements(bundle: Bundle, checker: _Checker, assumed: set[str]) -> None:
    """A restatement says again what another claim of its own report says: the two agree on
    status (their contradictions are shared by the importer), neither contradicts the other,
    and no claim restates itself, the same claim twice, or a claim that restates it."""
    claims = {claim.id: claim for claim in bundle.claims}
    for position, claim in enumerate(bundle.claims):
        seen: set[str] = set()
        for index, target_id in enumerate(claim.restates):
            loc: list[str | int] = ["claims", position, "restates", index]
            target = claims.get(target_id)
            if target is None and target_id in assumed:
                pass  # a claim with errors of its own, reported already
            elif target is None:
                checker.add(
                    loc,
                    f"unknown claim '{target_id}': a claim restates a claim of its own report",
                    closest(target_id, claims),
                )
            elif target_id == claim.id:
                checker.add(loc, "a claim cannot restate itself")
            elif target_id in seen:
                checker.add(loc, f"'{target_id}' is listed twice")
            elif claim.id in target.restates:
                checker.add(
                    loc,
                    f"'{target_id}' restates '{claim.id}' too: name the restatement on one side",
                )
            elif target_id in claim.contradicts or claim.id in target.contradicts:
                checker.add(
                    loc,
                    f"'{claim.id}' both restates and contradicts '{target_id}'",
                )
            elif target.status is not claim.status:
                checker.add(
                    ["claims", position, "status"],
                    f"status '{claim.status.value}' differs from '{target.status.value}' of "
                    f"'{target_id}', which this claim restates: a restatement and its claim "
                    "agree on status",
                )
            seen.add(target_id)


def _check_outlets(bundle: Bundle, checker: _Checker) -> None:
    """The report's outlet and a claim's venue are media outlets (where the bundle declares
    them); the report's own reporting has no venue: it is published by the outlet."""
    kinds = {actor.id: actor.kind for actor in bundle.actors}
    outlet = bundle.report.outlet
    if outlet in kinds and kinds[outlet] is not ActorKind.media_outlet:
        checker.add(
            ["report", "outlet"],
            f"the outlet '{outlet}' is a {kinds[outlet].value}: the report's outlet is an "
            "actor of kind media_outlet",
        )
    for position, claim in enumerate(bundle.claims):
        if claim.venue is None:
            continue
        if claim.channel is ClaimChannel.reporting:
            checker.add(
                ["claims", position, "venue"],
                "a claim the report asserts itself (channel 'reporting') has no venue",
            )
        elif claim.venue in kinds and kinds[claim.venue] is not ActorKind.media_outlet:
            checker.add(
                ["claims", position, "venue"],
                f"the venue '{claim.venue}' is a {kinds[claim.venue].value}: a venue is an "
                "actor of kind media_outlet (the outlet it was said to or published in)",
            )


def _check_own_reporting(bundle: Bundle, checker: _Checker) -> None:
    """What the report asserts itself (channel `reporting`) has the report's outlet as
    claimant."""
    outlet = bundle.report.outlet
    for position, claim in enumerate(bundle.claims):
        if claim.channel is not ClaimChannel.reporting:
            continue
        if outlet is None:
            checker.add(
                ["claims", position, "channel"],
                "channel 'reporting' is the report's own assertion: name the report's "
                "publisher as an actor in `report.outlet`",
            )
        elif claim.claimant != outlet:
            checker.add(
                ["claims", position, "claimant"],
                f"a claim the report asserts itself (channel 'reporting') has the report's "
                f"outlet '{outlet}' as claimant, not '{claim.claimant}'",
            )


@dataclass
class ReferenceIndex:
    """What a run's bundles may refer to: their own declarations plus what the database has."""

    actors: set[str]
    locations: set[str]
    claims: set[str]


def _check_parent_loops(
    conn: Connection, bundle: Bundle, issue: Callable[[Sequence[str | int], str], None]
) -> None:
    """A location may be declared again with another parent; the chain of parents, through
    the database's locations, must still end at a root (a loop would make every query that
    walks the hierarchy run until its time budget). Linear: a place known to reach a root is
    not walked again."""
    declared = {location.id: location.parent for location in bundle.locations}
    if not any(parent is not None for parent in declared.values()):
        return
    rows = conn.execute(select(Location.id, Location.parent_id)).all()
    parents: dict[str, str | None] = {row[0]: row[1] for row in rows}
    parents.update(declared)
    reaches_root: set[str] = set()
    for position, location in enumerate(bundle.locations):
        walked: list[str] = []
        seen: set[str] = set()
        current: str | None = location.id
        while current is not None and current not in reaches_root:
            if current in seen:
                issue(
                    ["locations", position, "parent"],
                    f"the parent chain of '{location.id}' loops back on itself through "
                    f"locations in the database ({' > '.join([*walked, current])})",
                )
                break
            seen.add(current)
            walked.append(current)
            current = parents.get(current)
        else:
            reaches_root.update(walked)


# What a bundle says of an actor or a place, as stored (column: the bundle's value).
ACTOR_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": lambda a: a.name,
    "kind": lambda a: a.kind.value,
    "aliases": lambda a: list(a.aliases),
    "description": lambda a: a.description,
    "affiliation": lambda a: a.affiliation,
    "nationality": lambda a: a.nationality,
}
LOCATION_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": lambda p: p.name,
    "kind": lambda p: p.kind.value,
    "latitude": lambda p: p.latitude,
    "longitude": lambda p: p.longitude,
    "precision": lambda p: p.precision.value,
    "parent_id": lambda p: p.parent,
    "country_code": lambda p: p.country_code,
    "aliases": lambda p: list(p.aliases),
    "description": lambda p: p.description,
}


def _check_declarations(conn: Connection, item: PreparedBundle, issue: Callable[..., None]) -> None:
    """An actor or place that another report declares (its `declared_by`) may be declared
    again only as it stands: changing it is its own report's to do, so that no report's
    bundle silently rewrites what other reports show."""
    report_id = item.bundle.report.id
    for collection, model, fields in (
        ("actors", Actor, ACTOR_FIELDS),
        ("locations", Location, LOCATION_FIELDS),
    ):
        declared = {
            entity.id: (position, entity)
            for position, entity in enumerate(getattr(item.bundle, collection))
        }
        if not declared:
            continue
        columns = [getattr(model, name) for name in fields]
        ordered = sorted(declared)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            rows = conn.execute(
                select(model.id, model.declared_by, *columns).where(
                    model.id.in_(chunk),
                    model.declared_by.is_not(None),
                    model.declared_by != report_id,
                )
            ).all()
            for row in rows:
                position, entity = declared[row[0]]
                stored = dict(zip(fields, row[2:], strict=True))
                differing = [
                    name for name, value_of in fields.items() if value_of(entity) != stored[name]
                ]
                if differing:
                    issue(
                        [collection, position, "id"],
                        f"'{row[0]}' is declared by report '{row[1]}', with other values "
                        f"({', '.join(differing)}): declare it as it stands there, or leave "
                        "it out and refer to it by its id (changing it is that report's to do)",
                    )


def check_against_database(
    conn: Connection, prepared: Sequence[PreparedBundle]
) -> list[ImportIssue]:
    """Cross-bundle and database checks: one declaration per id, every reference resolvable,
    and no id taken from another report."""
    issues: list[ImportIssue] = []

    def issue(
        item: PreparedBundle,
        loc: Sequence[str | int],
        message: str,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        checker = _Checker(file=item.where, raw=item.raw, node=item.node, positions=item.positions)
        checker.add(loc, message, suggestions)
        issues.extend(checker.issues)

    # One declaration per id across the run.
    declared: dict[tuple[str, str], PreparedBundle] = {}
    report_files: dict[str, PreparedBundle] = {}
    for item in prepared:
        report_id = item.bundle.report.id
        if report_id in report_files:
            issue(
                item,
                ["report", "id"],
                f"report '{report_id}' is also in {report_files[report_id].where}",
            )
        report_files.setdefault(report_id, item)
        for collection in COLLECTIONS:
            for position, entity in enumerate(getattr(item.bundle, collection)):
                key = entity.key if collection == "relations" else entity.id
                other = declared.get((collection, key))
                if other is not None and other is not item:
                    issue(
                        item,
                        [collection, position, "id"],
                        f"'{key}' is declared in {other.where} too: declare it once "
                        "and refer to it from the other bundles",
                    )
                declared.setdefault((collection, key), item)

    run_actors = {key for (collection, key) in declared if collection == "actors"}
    run_locations = {key for (collection, key) in declared if collection == "locations"}
    run_claims = {key for (collection, key) in declared if collection == "claims"}
    for item in prepared:
        run_actors |= item.assumed.get("actors", set())
        run_locations |= item.assumed.get("locations", set())
        run_claims |= item.assumed.get("claims", set())
    near = _Suggestions(conn, run_actors, run_locations, run_claims)
    db_actors = _existing(conn, Actor.id, _referenced_actors(prepared) - run_actors)
    db_locations = _existing(conn, Location.id, _referenced_locations(prepared) - run_locations)
    db_claims = _existing(conn, Claim.id, _referenced_claims(prepared) - run_claims)
    actors = run_actors | db_actors
    locations = run_locations | db_locations
    claims = run_claims | db_claims

    for item in prepared:
        bundle = item.bundle
        outlet = bundle.report.outlet
        if outlet is not None and outlet not in actors:
            issue(item, ["report", "outlet"], f"unknown actor '{outlet}'", near.actors(outlet))
        for position, relation in enumerate(bundle.relations):
            for role in ("subject", "object"):
                if getattr(relation, role) not in actors:
                    actor_id = getattr(relation, role)
                    issue(
                        item,
                        ["relations", position, role],
                        f"unknown actor '{actor_id}'",
                        near.actors(actor_id),
                    )
        for position, location in enumerate(bundle.locations):
            if location.parent is not None and location.parent not in locations:
                issue(
                    item,
                    ["locations", position, "parent"],
                    f"unknown location '{location.parent}'",
                    near.locations(location.parent),
                )
        for position, claim in enumerate(bundle.claims):
            for role in ("claimant", "venue"):
                actor_id = getattr(claim, role)
                if actor_id is not None and actor_id not in actors:
                    issue(
                        item,
                        ["claims", position, role],
                        f"unknown actor '{actor_id}'",
                        near.actors(actor_id),
                    )
            for index, ref in enumerate(claim.actors):
                if ref.id not in actors:
                    issue(
                        item,
                        ["claims", position, "actors", index, "id"],
                        f"unknown actor '{ref.id}'",
                        near.actors(ref.id),
                    )
            for index, place in enumerate(claim.locations):
                if place.id not in locations:
                    issue(
                        item,
                        ["claims", position, "locations", index, "id"],
                        f"unknown location '{place.id}'",
                        near.locations(place.id),
                    )
            for link in ("contradicts", "supports"):
                for index, target in enumerate(getattr(claim, link)):
                    if target not in claims:
                        issue(
                            item,
                            ["claims", position, link, index],
                            f"unknown claim '{target}'",
                            near.claims(target),
                        )
        for position, media in enumerate(bundle.media):
            if media.posted_by is not None and media.posted_by not in actors:
                issue(
                    item,
                    ["media", position, "posted_by"],
                    f"unknown actor '{media.posted_by}'",
                    near.actors(media.posted_by),
                )
            for index, media_actor in enumerate(media.actors):
                if media_actor.id not in actors:
                    issue(
                        item,
                        ["media", position, "actors", index, "id"],
                        f"unknown actor '{media_actor.id}'",
                        near.actors(media_actor.id),
                    )
            for index, location_id in enumerate(media.locations):
                if location_id not in locations:
                    issue(
                        item,
                        ["media", position, "locations", index],
                        f"unknown location '{location_id}'",
                        near.locations(location_id),
                    )
        for position, event in enumerate(bundle.events):
            if event.location is not None and event.location not in locations:
                issue(
                    item,
                    ["events", position, "location"],
                    f"unknown location '{event.location}'",
                    near.locations(event.location),
                )
            for index, event_actor in enumerate(event.actors):
                if event_actor.id not in actors:
                    issue(
                        item,
                        ["events", position, "actors", index, "id"],
                        f"unknown actor '{event_actor.id}'",
                        near.actors(event_actor.id),
                    )

        _check_parent_loops(conn, bundle, partial(issue, item))
        if bundle.report.id == STAND_IN_REPORT_ID:
            continue  # the report's own id is faulty: whose ids these are cannot be told
        _check_declarations(conn, item, partial(issue, item))

        # Ids owned by another report already in the database.
        owned: list[tuple[str, Any, Any]] = [
            ("claims", Claim.id, Claim.report_id),
            ("media", Media.id, Media.report_id),
            ("events", Event.id, Event.report_id),
            ("relations", ActorRelation.id, ActorRelation.report_id),
        ]
        for collection, id_column, report_column in owned:
            keys = [
                e.key if collection == "relations" else e.id for e in getattr(bundle, collection)
            ]
            if not keys:
                continue
            taken: dict[str, str] = {}
            ordered = sorted(set(keys))
            for start in range(0, len(ordered), 500):  # a statement takes at most 65,535
                taken.update(
                    conn.execute(
                        select(id_column, report_column).where(
                            id_column.in_(ordered[start : start + 500]),
                            report_column != bundle.report.id,
                        )
                    ).all()
                )
            for position, key in enumerate(keys):
                if key in taken:
                    issue(
                        item,
                        [collection, position, "id"],
                        f"id '{key}' already belongs to report '{taken[key]}'",
                    )
    return issues


class _Suggestions:
    """The known ids closest to an unknown one: the run's own and the database's, read only
    when a suggestion is first needed (claims by the unknown id's first letters)."""

    def __init__(
        self, conn: Connection, actors: set[str], locations: set[str], claims: set[str]
    ) -> None:
        self.conn = conn
        self.run = {"actors": actors, "locations": locations, "claims": claims}
        self.stored: dict[str, set[str]] = {}

    def _known(self, name: str, column: Any) -> set[str]:
        if name not in self.stored:
            self.stored[name] = set(self.conn.execute(select(column)).scalars())
        return self.run[name] | self.stored[name]

    def actors(self, unknown: str) -> tuple[str, ...]:
        return closest(unknown, self._known("actors", Actor.id))

    def locations(self, unknown: str) -> tuple[str, ...]:
        return closest(unknown, self._known("locations", Location.id))

    def claims(self, unknown: str) -> tuple[str, ...]:
        prefix = unknown[:3].replace("\\", "").replace("%", "").replace("_", "")
        stored = self.conn.execute(
            select(Claim.id).where(Claim.id.like(f"{prefix}%")).limit(5000)
        ).scalars()
        return closest(unknown, self.run["claims"] | set(stored))


def _existing(conn: Connection, column: Any, ids: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def _referenced_actors(prepared: Sequence[PreparedBundle]) -> set[str]:
    return (
        set().union(*(referenced_actors(item.bundle) for item in prepared)) if prepared else set()
    )


def _referenced_locations(prepared: Sequence[PreparedBundle]) -> set[str]:
    return (
        set().union(*(referenced_locations(item.bundle) for item in prepared))
        if prepared
        else set()
    )


def _referenced_claims(prepared: Sequence[PreparedBundle]) -> set[str]:
    refs: set[str] = set()
    for item in prepared:
        for claim in item.bundle.claims:
            refs.update(claim.contradicts, claim.supports)
    return refs


def referenced_actors(bundle: Bundle) -> set[str]:
    """Every actor a bundle declares or refers to."""
    refs = {actor.id for actor in bundle.actors}
    if bundle.report.outlet:
        refs.add(bundle.report.outlet)
    for relation in bundle.relations:
        refs.update((relation.subject, relation.object))
    for claim in bundle.claims:
        refs.add(claim.claimant)
        if claim.venue:
            refs.add(claim.venue)
        refs.update(ref.id for ref in claim.actors)
    for media in bundle.media:
        if media.posted_by:
            refs.add(media.posted_by)
        refs.update(ref.id for ref in media.actors)
    for event in bundle.events:
        refs.update(ref.id for ref in event.actors)
    return refs


def referenced_locations(bundle: Bundle) -> set[str]:
    """Every location a bundle declares or refers to (ancestors are added at load time)."""
    refs = {location.id for location in bundle.locations}
    refs.update(location.parent for location in bundle.locations if location.parent)
    for claim in bundle.claims:
        refs.update(place.id for place in claim.locations)
    for media in bundle.media:
        refs.update(media.locations)
    for event in bundle.events:
        if event.location:
            refs.add(event.location)
    return refs


def fuzzy(value: str | None) -> FuzzyDate | None:
    return parse_fuzzy_date(value) if value is not None else None
