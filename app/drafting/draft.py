"""A draft bundle from a raw article: the claims its speech makes (app.drafting.speech), each
with its claimant matched to a known actor or proposed new, its channel and venue, and the
date it was stated (app.drafting.dates); every proposal with the rule that made it and a
confidence, and what a person must decide marked in the YAML beside it.

Precision first: a quotation with no speaker is left out, a speaker that matches no actor
is proposed as a new one and marked, and nothing the text does not say is filled in but the
fields a bundle requires, each marked for a person (`kind`, `statement`).
"""

import datetime as dt
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.spans import TextIndex
from app.drafting.captions import find_captions
from app.drafting.dates import resolve
from app.drafting.indirect import find_reporting, find_speech
from app.drafting.places import KnownPlace, Mention, find_places, fold
from app.drafting.quantities import find_quantities
from app.drafting.speech import PRONOUNS, Speech
from app.models import Actor, Location

# Ids the API's paths use for themselves (app.importer.bundle.RESERVED_IDS).
RESERVED = frozenset({"export", "facets"})
# The most claims a draft proposes (an article has dozens): the rest of a text of thousands
# of quotations is not drafted.
MAX_CLAIMS = 1000
# The longest article a draft is made of (characters); longer is refused, not cut.
MAX_ARTICLE_CHARS = 200_000
# The most media items and places a draft proposes (an article has a handful of each).
MAX_MEDIA = 500
MAX_PLACES = 500
# The years a publication day may be in: relative dates count back from it.
MIN_YEAR, MAX_YEAR = 1000, 9998


class DraftRefused(ValueError):
    """Input a draft cannot be made of; `field` names it (`text`, `published`)."""

    def __init__(self, field_name: str, detail: str) -> None:
        super().__init__(f"{field_name}: {detail}")
        self.field = field_name
        self.detail = detail


def read_article(raw: bytes, published: str) -> tuple[str, dt.date]:
    """The article's text and its publication day, or DraftRefused naming what is wrong."""
    if len(raw) > 4 * MAX_ARTICLE_CHARS:
        raise DraftRefused("text", f"is over {MAX_ARTICLE_CHARS:,} characters")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftRefused("text", f"is not UTF-8 (byte {exc.start} cannot be read)") from None
    if "\x00" in text:
        raise DraftRefused("text", "contains a NUL byte")
    if not text.strip():
        raise DraftRefused("text", "is empty")
    if len(text) > MAX_ARTICLE_CHARS:
        raise DraftRefused("text", f"is {len(text):,} characters; at most {MAX_ARTICLE_CHARS:,}")
    try:
        day = dt.date.fromisoformat(published) if len(published) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise DraftRefused("published", f"{published!r} is not a day: use YYYY-MM-DD")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DraftRefused(
            "published", f"{published!r}: a publication day from {MIN_YEAR} to {MAX_YEAR}"
        )
    return text, day


# The longest outlet and title a draft takes (characters), on every way in.
MAX_OUTLET, MAX_TITLE = 200, 300


def read_names(outlet: str | None, title: str | None) -> None:
    """DraftRefused naming the outlet or title a draft cannot take: too long, or holding a
    NUL (the API refuses NUL everywhere)."""
    for name, value, most in (("outlet", outlet, MAX_OUTLET), ("title", title, MAX_TITLE)):
        if value is None:
            continue
        if "\x00" in value:
            raise DraftRefused(name, "contains a NUL byte")
        if len(value) > most:
            raise DraftRefused(name, f"is {len(value):,} characters; at most {most}")


@dataclass(frozen=True, slots=True)
class KnownActor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    # What the database says of it besides, written back as it is: a bundle that declares
    # an actor another report declared must declare it alike.
    description: str | None = None
    affiliation: str | None = None
    nationality: str | None = None


@dataclass
class Proposal:
    """One thing the draft proposes: where in the text, what, how sure, and why."""

    start: int
    end: int
    what: str
    confidence: float
    rule: str
    marked: list[str] = field(default_factory=list)


@dataclass
class Draft:
    bundle: dict[str, Any]
    proposals: list[Proposal]
    # Per claim id: its fields a person must decide, and why.
    marks: dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Known:
    """What the database knows that a draft matches against."""

    actors: list[KnownActor]
    places: list[KnownPlace]


def known(session: Session) -> Known:
    """The actors and locations of every report loaded."""
    return Known(known_actors(session), known_places(session))


def known_places(session: Session) -> list[KnownPlace]:
    """The locations of every report loaded: what a draft matches place names against."""
    rows = session.execute(select(Location).order_by(Location.id)).scalars()
    return [
        KnownPlace(
            row.id,
            row.name,
            row.kind,
            row.precision,
            row.latitude,
            row.longitude,
            row.country_code,
            tuple(row.aliases or ()),
            row.parent_id,
            row.description,
        )
        for row in rows
    ]


def known_actors(session: Session) -> list[KnownActor]:
    """The actors of every report loaded: what a draft matches speakers against."""
    rows = session.execute(select(Actor).order_by(Actor.id)).scalars()
    return [
        KnownActor(
            row.id,
            row.name,
            row.kind,
            tuple(row.aliases or ()),
            row.description,
            row.affiliation,
            row.nationality,
        )
        for row in rows
    ]


def slug(words: str) -> str:
    """`Zabihullah Mujahid` as `zabihullah-mujahid`."""
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    found = re.sub(r"[^a-z0-9]+", "-", ascii_words.lower()).strip("-")[:100].strip("-")
    if found in RESERVED:
        found += "-actor"
    return found or "unnamed"


def _key(words: str) -> str:
    words = re.sub(r"^(the|a|an)\s+", "", words.strip().lower()).replace(".", "")
    return re.sub(r"[’']s$", "", words)


class Ids:
    """The ids a draft has given (and those it must not: the database's), and per candidate
    the next number to try, so that thousands of the same candidate cost no rescans."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.given: set[str] = set(reserved)
        self.next: dict[str, int] = {}

    def take(self, candidate: str) -> str:
        """`candidate`, or `candidate-2`, `-3` …: the first not given, now given."""
        candidate = candidate.strip("-") or "claim"
        found = candidate
        if found in self.given:
            number = self.next.get(candidate, 2)
            while f"{candidate}-{number}" in self.given:
                number += 1
            self.next[candidate] = number + 1
            found = f"{candidate}-{number}"
        self.given.add(found)
        return found


def mentions_of(
    text: str, actors: Sequence[KnownActor], quoted: Sequence[tuple[int, int]]
) -> list[tuple[int, KnownActor]]:
    """Where the text names each known actor (by name or alias), outside quotations, in
    the text's order: what a pronoun may point back to."""
    found: list[tuple[int, KnownActor]] = []
    starts = [start for start, _ in quoted]
    for actor in actors:
        for words in (actor.name, *actor.aliases):
            words = words.strip()
            if len(words) < 3 or (words[:1].isupper() and words.split()[-1] not in text):
                continue
            flags = 0 if words[:1].isupper() else re.IGNORECASE
            for match in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", text, flags):
                at = match.start()
                where = bisect_left(starts, at + 1) - 1
                if where >= 0 and at < quoted[where][1]:
                    continue  # inside a quotation: spoken of, not speaking
                found.append((at, actor))
    return sorted(found, key=lambda pair: pair[0])


# Words that make a new name an organisation's, not a person's.
_ORGANISATION = re.compile(
    r"\b(?:Alliance|Army|Front|Forces|Ministry|Government|Council|Party|Movement|Group|"
    r"Militia|Agency|Office|Observatory|Programme|Program|Nations|Union|Brigade|Committee|"
    r"Command|Coalition|Authority|Police|Guard|Embassy|Organi[sz]ation|Foundation|Fund|"
    r"Red Cross|Red Crescent|Taliban|State)\b"
)


_ORGANISATION_ROLES = (
    r"\b(?:ministry|government|group|militia|movement|office|embassy|army|police|forces|"
    r"agency|agencies|council|military|regime|junta|coalition|alliance|authorities|"
    r"observatory|charity|delegation|rebels|fighters|troops|insurgents)\b"
)


def _new_kind(words: str) -> str:
    """A guess at a new speaker's kind, marked for a person: `The Northern Alliance` is an
    organisation, `Nadir Kestel` a person, a single word (`Hamas`) an organisation."""
    bare = re.sub(r"^(?:the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
    if (
        _ORGANISATION.search(bare)
        or words.strip().lower().startswith("the ")
        or re.match(r"^[\w-]+[’']s\s", bare)  # "Qatar’s foreign ministry"
    ):
        return "organization"
    return "person" if " " in bare else "organization"


class Speakers:
    """Speakers resolved to actors: by name or alias, pronouns to the last fitting actor
    named before them (as a speaker or not), roles to the last fitting speaker."""

    def __init__(
        self,
        actors: Sequence[KnownActor],
        mentions: Sequence[tuple[int, KnownActor]] = (),
        ids: Ids | None = None,
    ) -> None:
        self.ids = ids if ids is not None else Ids(actor.id for actor in actors)
        self.by_key: dict[str, KnownActor] = {}
        for actor in actors:
            for words in (actor.name, *actor.aliases):
                self.by_key.setdefault(_key(words), actor)
        self.new: dict[str, KnownActor] = {}
        self.last_person: KnownActor | None = None
        self.last_other: KnownActor | None = None
        self.last_person_at = self.last_other_at = -1
        # Mentions of people and of the rest apart: the last fitting one is one search.
        self.mentions = {
            person: [(at, actor) for at, actor in mentions if (actor.kind == "person") == person]
            for person in (True, False)
        }
        self.mention_starts = {
            person: [at for at, _ in found] for person, found in self.mentions.items()
        }

    def _last_mentioned(self, at: int, person: bool) -> tuple[int, KnownActor | None]:
        where = bisect_left(self.mention_starts[person], at) - 1
        return self.mentions[person][where] if where >= 0 else (-1, None)

    def _last(self, at: int, person: bool) -> KnownActor | None:
        spoke_at, spoke = (
            (self.last_person_at, self.last_person)
            if person
            else (self.last_other_at, self.last_other)
        )
        named_at, named = self._last_mentioned(at, person)
        return named if named is not None and named_at > spoke_at else spoke

    def resolve(self, words: str, at: int = -1) -> tuple[KnownActor | None, float, str]:
        key = _key(words)
        if words in PRONOUNS:
            person = key in ("he", "she", "i")
            fitting = self._last(at, person)
            if fitting is None and key in ("they", "we"):
                fitting = self._last(at, True)
            if fitting is None:
                return None, 0.0, f"'{words}': no one named before it"
            if at >= 0:
                self._seen(fitting, at)
            return fitting, 0.7, f"'{words}': the last fitting actor named ({fitting.name})"
        actor = self.by_key.get(key) or self.new.get(key)
        if actor is not None:
            self._seen(actor, at)
            return actor, 0.9, f"'{words}': {actor.name}"
        # "Varkesh’s defence ministry": the defence ministry, if the database knows one.
        owned = re.match(r"^[\w-]+[’']s\s+(.+)$", key)
        actor = self.by_key.get(owned.group(1)) if owned else None
        if actor is not None:
            self._seen(actor, at)
            return actor, 0.8, f"'{words}': {actor.name}"
        bare = re.sub(r"^(?:the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
        if re.match(r"^an?\s", words.strip(), flags=re.IGNORECASE) and not bare[:1].isupper():
            # "a senior army officer who asked not to be named": someone new, unnamed.
            kind = "organization" if re.search(_ORGANISATION_ROLES, key) else "person"
            unnamed = self.new.get(key) or KnownActor(self.ids.take(slug(key)), bare, kind)
            self.new[key] = unnamed
            self._seen(unnamed, at)
            return unnamed, 0.5, f"'{words}': an unnamed source, new"
        if bare[:1].isupper() and not key.startswith(("one ", "its ", "his ", "her ")):
            # "Massoud" after "Ahmad Massoud" was proposed: the same person.
            surname = next(
                (
                    actor
                    for actor in self.new.values()
                    if actor.kind == "person" and _key(actor.name).split()[-1:] == [key]
                ),
                None,
            )
            if surname is not None:
                self._seen(surname, at)
                return surname, 0.6, f"'{words}': {surname.name}, named in full before"
            proposed = KnownActor(self.ids.take(slug(key)), bare, _new_kind(words))
            self.new[key] = proposed
            self._seen(proposed, at)
            return proposed, 0.6, f"'{words}': a new actor ({proposed.kind}?)"
        # A role: an organisation's ("the ministry") points to the last organisation, a
        # person's ("the fledgling leader") to the last person.
        organisation = re.search(_ORGANISATION_ROLES, key) is not None
        first, second = (
            (self.last_other, self.last_person)
            if organisation
            else (self.last_person, self.last_other)
        )
        fitting = first or second
        if fitting is None:
            return None, 0.0, f"'{words}': a role with no named actor before it"
        return fitting, 0.4, f"'{words}': a role, taken as the last speaker named ({fitting.name})"

    def outlet(self, words: str) -> KnownActor | None:
        """An outlet named in a cue or given (`Reuters`, `the BBC`): a known media outlet, a
        new speaker made one, or a new media outlet; None if the name is an actor of another
        kind. It is not a speaker (pronouns never point to it)."""
        key = _key(words)
        actor = self.by_key.get(key) or self.new.get(key)
        if actor is not None and actor.kind == "media_outlet":
            return actor
        if actor is not None and self.new.get(key) is actor:
            # Proposed as a speaker ("Reuters reported that …") and named the outlet: an
            # outlet it is, as the report's outlet must be.
            outlet = replace(actor, kind="media_outlet")
            for name, proposed in list(self.new.items()):
                if proposed is actor:
                    self.new[name] = outlet
            return outlet
        if actor is not None:
            return None  # a person, a state, an armed group …: no outlet (`told the Taliban`)
        name = re.sub(r"^(the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
        if not name[:1].isupper():
            return None
        proposed = KnownActor(self.ids.take(slug(name)), name, "media_outlet")
        self.new[key] = proposed
        return proposed

    def _seen(self, actor: KnownActor, at: int) -> None:
        if actor.kind == "person":
            self.last_person, self.last_person_at = actor, at
        else:
            self.last_other, self.last_other_at = actor, at


_KINDS = (
    ("territorial_control", r"\b(surround\w*|captur\w*|retak\w*|seiz\w*|control\w*|fall|fell)\b"),
    ("casualties", r"\b(kill\w*|dead|died|wounded|casualt\w*)\b"),
    ("negotiation", r"\bnegotiat\w*|\btalks\b"),
    ("vow", r"\b(will not|won't|never|vow\w*|fight to)\b"),
    ("appeal", r"\b(must help|help us|appeal\w*|call\w* on)\b"),
)


def _kind(words: str) -> tuple[str, str]:
    for kind, pattern in _KINDS:
        if re.search(pattern, words, re.IGNORECASE):
            return kind, f"guessed from its words ({kind})"
    return "stance", "no rule fits: a stance until a person says otherwise"


def make_draft(
    text: str,
    *,
    published: dt.date,
    actors: Sequence[KnownActor],
    places: Sequence[KnownPlace] = (),
    outlet: str | None = None,
    title: str | None = None,
) -> Draft:
    """The draft bundle of `text`, published on `published` (see the module's docstring)."""
    speeches = find_speech(text)
    quoted = [(speech.start, speech.end) for speech in speeches if speech.direct]
    # Every id the draft gives is new: none the database holds for an actor or a place.
    taken = Ids([*(actor.id for actor in actors), *(place.id for place in places), *RESERVED])
    speakers = Speakers(actors, mentions_of(text, actors, quoted), taken)
    index = TextIndex(text)
    starts_of: dict[str, list[int]] = {}  # where each quote's words begin, found once
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "Untitled")
    report_title = title or first_line[:200]
    report_id = f"{slug(report_title)[:80].strip('-')}-{published.isoformat()}"
    claims: list[dict[str, Any]] = []
    proposals: list[Proposal] = []
    marks: dict[str, dict[str, str]] = {}
    used: dict[str, KnownActor] = {}
    # Every id the draft gives is new: none the database holds for an actor or a place.
    posted: list[tuple[Speech, str]] = []  # claims made in a tweet, with their ids
    found_captions = find_captions(text)
    captions = [(caption.start, caption.end) for caption in found_captions]
    for speech in speeches:
        if len(claims) >= MAX_CLAIMS:
            break
        proposal = Proposal(speech.start, speech.end, "claim", speech.confidence, speech.rule)
        proposals.append(proposal)
        if speech.attribution is None:
            proposal.marked.append("no speaker: left out")
            continue
        speaker = speech.attribution.speaker
        if (
            speech.rule.startswith("indirect speech")
            and " " not in speaker.strip()
            and _key(speaker) not in speakers.by_key
            and _inside(captions, speech.start)
        ):
            # "Footage posted by the Alliance shows …": a caption's subject, not a speaker.
            proposal.marked.append(f"left out: '{speaker}' in a caption is no known speaker")
            continue
        claimant, how_sure, why = speakers.resolve(speaker, speech.attribution.speaker_at)
        if claimant is None:
            proposal.marked.append(f"left out: {why}")
            continue
        used[claimant.id] = claimant
        quote = text[speech.start : speech.end]
        claim_id = taken.take(f"{claimant.id}-{slug(' '.join(quote.split()[:5]))}"[:100])
        kind, kind_why = _kind(quote)
        statement = " ".join(quote.split()).strip(" ,")
        claim: dict[str, Any] = {
            "id": claim_id,
            "claimant": claimant.id,
            "quote": quote,
            "statement": statement,
            "kind": kind,
            "channel": speech.attribution.channel,
        }
        claim_marks = {
            "kind": kind_why,
            "statement": "the quote itself; say the claim in one line",
        }
        quantities = [
            {
                "value": quantity.value,
                "unit": quantity.unit,
                "counted": quantity.unit,
                "qualifier": quantity.qualifier,
                "text": quantity.text,
            }
            for quantity in find_quantities(quote)
        ]
        if quantities:
            claim["quantities"] = quantities
            claim_marks["quantities"] = "say what each number counts (`counted`)"
        starts = starts_of.get(quote)
        if starts is None:
            starts = starts_of[quote] = index.starts_of(quote)
        where = bisect_left(starts, speech.start)
        if where == len(starts) or starts[where] != speech.start:
            proposal.marked.append("left out: the importer would find these words elsewhere")
            continue
        if len(starts) > 1:
            claim["occurrence"] = where + 1
        venue = speech.attribution.venue
        if venue:
            venue_actor = speakers.outlet(venue)
            if venue_actor is not None:
                claim["venue"] = venue_actor.id
                used[venue_actor.id] = venue_actor
        if speech.attribution.channel == "unspecified":
            claim_marks["channel"] = "the cue names no channel"
        cue = _cue_words(text, speech)
        # A relative clause in the cue dates something else ("…, said Amira, who fled
        # Marevo last week"): its words are not read.
        cue = re.sub(r"\b(?:who|which|whose|where)\b[^,.;:]*", " ", cue) if cue else cue
        stated = resolve(cue, published) if cue else None
        if (
            stated is not None
            and stated.value is not None
            and (stated.value > published.isoformat()[: len(stated.value)])
        ):
            claim_marks["stated_on"] = f"'{stated.text}' is after the publication day"
            stated = None
        if stated is not None and stated.value is not None:
            claim["stated_on"] = stated.value
            claim["stated_on_text"] = stated.text
            if stated.rule == "week":
                claim_marks["stated_on"] = f"'{stated.text}': the period that holds that week"
        elif stated is not None:
            claim_marks["stated_on"] = f"'{stated.text}': no precision a bundle can write"
        if how_sure < 0.8:
            claim_marks["claimant"] = why
        proposal.confidence = min(proposal.confidence, how_sure) if how_sure else 0.0
        proposal.rule = f"{speech.rule}; claimant {why}"
        proposal.marked.extend(f"{name}: {why}" for name, why in claim_marks.items())
        claims.append(claim)
        marks[claim_id] = claim_marks
        if speech.attribution.channel == "tweet":
            posted.append((speech, claim_id))
    outlet_actor = speakers.outlet(outlet) if outlet else None
    if outlet_actor is not None:
        spoken = [(speech.start, speech.end) for speech in speeches]
        for start, end, rule in find_reporting(text, spoken, captions):
            if len(claims) >= MAX_CLAIMS:
                break
            words = text[start:end]
            starts = starts_of.get(words)
            if starts is None:
                starts = starts_of[words] = index.starts_of(words)
            where = bisect_left(starts, start)
            if where == len(starts) or starts[where] != start:
                continue
            claim_id = taken.take(f"{outlet_actor.id}-{slug(' '.join(words.split()[:5]))}"[:100])
            kind, kind_why = _kind(words)
            claim = {
                "id": claim_id,
                "claimant": outlet_actor.id,
                "quote": words,
                "statement": " ".join(words.split()),
                "kind": kind,
                "channel": "reporting",
                "stated_on": published.isoformat(),
                "stated_on_text": "(the outlet's own assertion, on the day it published)",
            }
            if len(starts) > 1:
                claim["occurrence"] = where + 1
            claim_marks = {
                "channel": f"{rule}: a claim worth keeping? else remove it",
                "kind": kind_why,
                "statement": "the sentence itself; say the claim in one line",
            }
            claims.append(claim)
            marks[claim_id] = claim_marks
            used[outlet_actor.id] = outlet_actor
            proposals.append(
                Proposal(
                    start,
                    end,
                    "claim",
                    0.4,
                    rule,
                    [f"{name}: {why}" for name, why in claim_marks.items()],
                )
            )
    media: list[dict[str, Any]] = []
    for caption in found_captions:
        words = text[caption.start : caption.end]
        starts = starts_of.get(words)
        if starts is None:
            starts = starts_of[words] = index.starts_of(words)
        where = bisect_left(starts, caption.start)
        if where == len(starts) or starts[where] != caption.start:
            continue
        if len(media) >= MAX_MEDIA:
            break
        media_id = taken.take(f"{caption.kind}-{slug(' '.join(words.split()[:5]))}"[:100])
        item: dict[str, Any] = {"id": media_id, "kind": caption.kind, "caption": words}
        if len(starts) > 1:
            item["occurrence"] = where + 1
        media.append(item)
        marks[media_id] = {"kind": f"{caption.rule}: a {caption.kind}? say which"}
        proposals.append(
            Proposal(caption.start, caption.end, "media", caption.confidence, caption.rule)
        )
    shown = {(item["caption"], item.get("occurrence")) for item in media}
    for speech, claim_id in posted:
        tweet = _tweet_paragraph(text, speech)
        if tweet is None:
            continue
        start, end, kind = tweet
        words = text[start:end]
        starts = starts_of.get(words)
        if starts is None:
            starts = starts_of[words] = index.starts_of(words)
        where = bisect_left(starts, start)
        occurrence = where + 1 if len(starts) > 1 else None
        if where == len(starts) or starts[where] != start or (words, occurrence) in shown:
            continue
        if len(media) >= MAX_MEDIA:
            break
        media_id = taken.take(f"{kind}-{slug(' '.join(words.split()[:5]))}"[:100])
        tweet_item: dict[str, Any] = {"id": media_id, "kind": kind, "caption": words}
        if occurrence is not None:
            tweet_item["occurrence"] = occurrence
        tweet_item["claim"] = claim_id
        media.append(tweet_item)
        proposals.append(Proposal(start, end, "media", 0.8, f"a {kind} in a paragraph of its own"))
    locations = _locations(index, places, actors, speakers, claims, proposals, marks, taken)
    report: dict[str, Any] = {
        "id": report_id,
        "title": report_title,
        "publisher": outlet or "unknown",
        "published_on": published.isoformat(),
        "published_on_note": "given when the draft was made",
        "language": "en",
        "text": text,
    }
    if outlet_actor is not None:
        report["outlet"] = outlet_actor.id
        used[outlet_actor.id] = outlet_actor
    bundle = {
        "format": "conflict-reports/1",
        "report": report,
        "actors": [_actor_entry(a) for a in sorted(used.values(), key=lambda a: a.id)],
        "locations": locations,
        "claims": claims,
        "media": media,
    }
    return Draft(bundle, sorted(proposals, key=lambda p: p.start), marks)


def _locations(
    index: TextIndex,
    places: Sequence[KnownPlace],
    actors: Sequence[KnownActor],
    speakers: Speakers,
    claims: list[dict[str, Any]],
    proposals: list[Proposal],
    marks: dict[str, dict[str, str]],
    taken: Ids,
) -> list[dict[str, Any]]:
    """The places the text names, as the bundle's locations, each claim linked to those its
    quote names (role `mentioned`); what has no coordinates is marked for a person."""
    names = [words for a in actors for words in (a.name, *a.aliases)]
    names += [a.name for a in speakers.new.values()]
    mentions = find_places(index.text, places=places, actor_names=names)
    entries: dict[str, dict[str, Any]] = {}
    ids: dict[tuple[str, str], str] = {}  # (source, name) to the id given
    spans: list[tuple[Mention, str]] = []
    for mention in mentions:
        place = mention.place
        key = (mention.source, place.id or fold(place.name))
        place_id = ids.get(key)
        if place_id is None:
            if not place.id and len(entries) >= MAX_PLACES:
                continue
            place_id = place.id or taken.take(slug(place.name))
            ids[key] = place_id
            entry: dict[str, Any] = {
                "id": place_id,
                "name": place.name,
                "kind": place.kind,
                "precision": place.precision,
            }
            if place.latitude is not None and place.longitude is not None:
                entry["latitude"] = place.latitude
                entry["longitude"] = place.longitude
            if place.country_code:
                entry["country_code"] = place.country_code
            if mention.source == "database":
                # As the database has it: another report declared it so.
                if place.parent:
                    entry["parent"] = place.parent
                if place.aliases:
                    entry["aliases"] = list(place.aliases)
                if place.description is not None:
                    entry["description"] = place.description
            entries[place_id] = entry
            if mention.source == "new":
                marks[place_id] = {
                    "precision": mention.rule,
                    "kind": "say what kind of place it is",
                }
            elif mention.source == "gazetteer":
                marks[place_id] = {"precision": f"{mention.rule}: check it is this one"}
        proposal = Proposal(mention.start, mention.end, "place", mention.confidence, mention.rule)
        if mention.source != "database":
            proposal.marked.append(mention.rule)
        proposals.append(proposal)
        spans.append((mention, place_id))
    for claim in claims:
        span = index.locate(claim["quote"], occurrence=claim.get("occurrence"))
        named = list(
            dict.fromkeys(
                place_id
                for mention, place_id in spans
                if span.start <= mention.start and mention.end <= span.end
            )
        )
        if named:
            claim["locations"] = [{"id": place_id, "role": "mentioned"} for place_id in named]
    return list(entries.values())


_MARKS = "“”‘’\"'"


def _inside(spans: Sequence[tuple[int, int]], at: int) -> bool:
    """`at` falls in one of the sorted, disjoint `spans`."""
    where = bisect_left(spans, (at + 1,)) - 1
    return where >= 0 and spans[where][0] <= at < spans[where][1]


def _tweet_paragraph(text: str, speech: Speech) -> tuple[int, int, str] | None:
    """The paragraph a tweet's words fill alone (quotation marks and a stop aside), or the
    rest of it after its cue's colon, shown as a tweet: an embedded post, or a quotation set
    apart after `tweeted:`."""
    start = text.rfind("\n", 0, speech.start) + 1
    end = text.find("\n", speech.end)
    end = len(text) if end == -1 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    cue = text[start : speech.start]
    if cue.strip(_MARKS + " \u00a0"):
        if not cue.rstrip(_MARKS + " \u00a0").endswith(":"):
            return None
        if re.search(r"\b(?:video|footage)\b", cue, re.IGNORECASE):
            # "shared video of the valley, tweeting: ‘…’": the paragraph is the video's.
            tail = text[speech.end : end].strip(_MARKS + " \u00a0.!?")
            return None if tail else (start, end, "video")
        # The cue opens the paragraph ("The Alliance tweeted: ‘…"): the tweet is the rest.
        start = speech.start
        while start > 0 and text[start - 1] in _MARKS:
            start -= 1
    if text[speech.end : end].strip(_MARKS + " \u00a0.!?"):
        return None
    return (start, end, "tweet") if end > start else None


def _actor_entry(actor: KnownActor) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": actor.id, "name": actor.name, "kind": actor.kind}
    if actor.aliases:
        entry["aliases"] = list(actor.aliases)
    for name in ("description", "affiliation", "nationality"):
        if getattr(actor, name) is not None:
            entry[name] = getattr(actor, name)
    return entry


# Where a cue ends: a sentence's end, a line's, or a quotation mark of any style (a date
# inside a quotation is what was spoken of, not when it was said).
_CUE_ENDS = ".!?\n“”‘’\"'"


def _cue_words(text: str, speech: Speech) -> str:
    """The words of the speech's cue (outside any quotation): its sentence around the
    speaker, at most a few hundred characters, where a date says when it was said."""
    assert speech.attribution is not None
    at = speech.attribution.speaker_at
    if speech.attribution.cue_end is not None:
        # The cue's own words, a few more after its verb ("said on Tuesday that"), and no
        # further than "that" or a comma: the claim's words are not when it was said.
        cue = text[at : min(len(text), speech.attribution.cue_end + 30)]
        cut = re.search(
            r"\s+(?:that|it|its|they|he|she|the|a|an)\s|,|\n",
            cue[speech.attribution.cue_end - at :],
        )
        return cue[: speech.attribution.cue_end - at + (cut.start() if cut else len(cue))]
    floor = max(0, at - 200)
    start = max(floor, *(text.rfind(mark, floor, at) + 1 for mark in _CUE_ENDS))
    ceiling = min(len(text), at + 200)
    ends = [found for found in (text.find(mark, at, ceiling) for mark in _CUE_ENDS) if found != -1]
    return text[start : min(ends) if ends else ceiling]


# Whatever YAML or a reader takes for a line's end (or cannot print) in a comment.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


class _Dumper(yaml.SafeDumper):
    """Text of several lines (the report's) as a literal block, the rest as PyYAML writes it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # NEL, LS and PS are line ends to YAML: only a double-quoted scalar keeps them verbatim.
    if any(mark in value for mark in "\x85\u2028\u2029"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    style = "|" if "\n" in value and len(value) > 200 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(draft: Draft) -> str:
    """The draft as a YAML bundle, each field a person must decide marked in a comment."""
    body = yaml.dump(
        draft.bundle, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000
    )
    out: list[str] = [
        "# A draft made by `conflict-reports draft`: check every claim against the text,",
        "# decide each field marked `# check`, then load it (`conflict-reports seed` or",
        "# POST /v1/reports).",
    ]
    items = {
        item["id"]: item
        for section in ("claims", "media", "locations")
        for item in draft.bundle.get(section, [])
    }
    current: str | None = None
    in_claims = False
    # Only "\n" ends a line: U+2028 and its kind stay inside the scalars PyYAML wrote them in.
    for line in body.split("\n")[:-1] if body.endswith("\n") else body.split("\n"):
        if line and not line.startswith((" ", "-")):
            in_claims = line.startswith(("claims:", "media:", "locations:"))
        item = re.match(r"^- id: (\S+)$", line)
        if item is not None:
            current = item.group(1) if in_claims else None
        field_name = re.match(r"^  (\w+):", line)
        marks = draft.marks.get(current or "", {})
        if in_claims and field_name is not None and field_name.group(1) in marks:
            # A comment is one line: no break of any kind from the text's words in it.
            said = _BREAKS.sub(" ", marks[field_name.group(1)])
            line = f"{line}  # check: {said}"
        out.append(line)
        if in_claims and item is not None and current in items:
            # A field the draft left out, for a person to fill in: its mark on a line of its
            # own ("# check: stated_on: 'last week' …").
            out.extend(
                f"  # check: {name}: {_BREAKS.sub(' ', why)}"
                for name, why in marks.items()
                if name not in items[current]
            )
    return "\n".join(out) + "\n"
