"""Places an article names, matched to the database's locations, else to the gazetteer shipped
with the package (countries and first-level divisions with coordinates), else proposed
without coordinates and marked for a person.

The gazetteer (`data/gazetteer.csv`) is derived from Natural Earth, which is in the public
domain: countries from its 1:50m Admin 0 polygons (a point inside the largest part: the
middle of the widest chord through its centroid), first-level divisions from its 1:10m
Admin 1 label points (version 4.0.0). docs/drafting.md says more.

A name is a place only where the text writes it as one: capitalised, the whole of its run of
capitalised words (`Victoria` is not a place in `Victoria Nuland`), and not a known actor's
name. A name several divisions share is proposed without coordinates unless the article
names one of their countries. Unknown names are proposed only after a word that says a
place follows (`in`, `near`, `the town of`) or before one that says what kind it is
(`Province`, `Valley`).
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Words a run of capitalised words may start with that are not part of a name.
_LEADING = frozenset(
    "the a an in at on of from to into near but and or as after before while when where "
    "for by with outside inside across around towards toward since until if so then "
    "meanwhile however yet still also".split()
)
# What kind of place a name is, from the word that follows it in the name.
_DESIGNATIONS = {
    "province": "province",
    "governorate": "province",
    "oblast": "province",
    "region": "area",
    "state": "province",
    "district": "district",
    "county": "district",
    "valley": "valley",
    "city": "city",
    "town": "city",
    "village": "city",
    "mountains": "mountain_range",
    "hills": "area",
    "pass": "site",
    "river": "area",
    "airport": "site",
    "airbase": "site",
    "base": "site",
    "bridge": "site",
    "border": "area",
    "crossing": "site",
}
# Words before an unknown name that say a place follows.
_LOCATIVE = re.compile(
    r"(?:\b(?:in|near|outside|into|towards|toward|across|around)"
    r"|\bthe (?:town|city|village|district|province|region|port|capital) of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Capitalised words that are never a place's name by themselves.
_NOT_PLACES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december today yesterday eastern "
    "western northern southern central north south east west upper lower capital centre "
    "center coast islands island lakes federal national president minister general "
    "government army police god".split()
) | frozenset(_DESIGNATIONS)
# Words that make a name an institution's, not a place's ("a degree in War Studies").
_INSTITUTIONS = re.compile(
    r"\b(?:Studies|College|University|School|Academy|Ministry|Council|Army|Forces|Party|Front|"
    r"Movement|Alliance|Brigade|Battalion|Corps|Command|Agency|Office|Court|Committee|"
    r"Company|Group|News|Times|Post|Press|Service|Bank|Fund|Union|Assembly|Parliament)\b"
)
_RUN = re.compile(
    r"[A-Z][\w’'\-]*(?:[ \u00a0]+(?:(?:of|al|el|de|la|du|the)[ \u00a0]+)?[A-Z][\w’'\-]*)*"
)
MAX_NAME_WORDS = 6


@dataclass(frozen=True, slots=True)
class KnownPlace:
    id: str
    name: str
    kind: str
    precision: str
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named in the text: where, which (None: not found anywhere), how sure, why."""

    start: int
    end: int
    place: KnownPlace
    source: str  # "database", "gazetteer" or "new"
    confidence: float
    rule: str


def fold(words: str) -> str:
    """The key names are matched by: no accents, no case, no leading `the`, spaces as one."""
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    key = " ".join(ascii_words.replace("’", "'").lower().split())
    return re.sub(r"^the ", "", key)


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "country" or "admin1"
    name: str
    country_code: str
    latitude: float
    longitude: float


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Entry, ...]]:
    """Folded name (and each other name of a country) to the entries that bear it."""
    found: dict[str, list[Entry]] = {}
    raw = resources.files("app.drafting").joinpath("data/gazetteer.csv").read_text("utf-8")
    for row in csv.DictReader(io.StringIO(raw)):
        entry = Entry(
            row["kind"],
            row["name"],
            row["country_code"],
            float(row["latitude"]),
            float(row["longitude"]),
        )
        for name in (row["name"], *filter(None, row["also"].split("|"))):
            key = fold(name)
            if len(key) >= 4 and key not in _NOT_PLACES:
                found.setdefault(key, []).append(entry)
    return {key: tuple(entries) for key, entries in found.items()}


def _as_place(entry: Entry) -> KnownPlace:
    country = entry.kind == "country"
    return KnownPlace(
        id="",
        name=entry.name,
        kind="country" if country else "province",
        precision="country" if country else "province",
        latitude=entry.latitude,
        longitude=entry.longitude,
        country_code=entry.country_code,
    )


def _runs(text: str) -> Iterable[tuple[int, int]]:
    """Each run of capitalised words, without the leading words that are not a name's."""
    for match in _RUN.finditer(text):
        start, end = match.span()
        words = list(re.finditer(r"\S+", text[start:end]))
        while words and words[0].group().lower() in _LEADING:
            words.pop(0)
        if not words or len(words) > MAX_NAME_WORDS:
            continue
        first, last = start + words[0].start(), start + words[-1].end()
        # A possessive's mark is not the name's: "Kabul’s stadium".
        possessive = re.search(r"[’']s?$", text[first:last])
        if possessive:
            last -= len(possessive.group())
        yield first, last


def find_places(
    text: str,
    *,
    places: Sequence[KnownPlace],
    actor_names: Iterable[str],
) -> list[Mention]:
    """Every place the text names (see the module's docstring), in the text's order; a
    place of the gazetteer or a new one has no id yet (`id` is empty)."""
    known: dict[str, KnownPlace] = {}
    for given in places:
        for name in (given.name, *given.aliases):
            # Only proper names: "the valley" of one report is not the next one's.
            if name.strip()[:1].isupper() or re.match(r"the [A-Z]", name):
                known.setdefault(fold(name), given)
    actors = {fold(name) for name in actor_names}
    table = gazetteer()
    named_countries = {
        entry.country_code
        for start, end in _runs(text)
        for entry in table.get(fold(text[start:end]), ())
        if entry.kind == "country"
    }
    found: list[Mention] = []
    for start, end in _runs(text):
        words = text[start:end]
        key = fold(words)
        if key in _NOT_PLACES:
            continue
        place = known.get(key)
        if key in actors and not (place or _LOCATIVE.search(text[max(0, start - 40) : start])):
            continue  # an actor ("sponsored by Tajikistan"), unless where it is is meant
        if place is not None:
            found.append(Mention(start, end, place, "database", 0.9, f"'{words}': {place.name}"))
            continue
        entries = table.get(key, ())
        base_key, _, designation = key.rpartition(" ")
        if not entries and designation in _DESIGNATIONS and base_key:
            entries = tuple(e for e in table.get(base_key, ()) if e.kind == "admin1")
        if entries:
            found.append(_from_gazetteer(start, end, words, entries, named_countries))
            continue
        if not base_key or designation not in _DESIGNATIONS:
            # "neighbouring Andarab province": the kind written after the name.
            after = re.match(r"[ \u00a0]+(\w+)", text[end : end + 30])
            designation = after.group(1).lower() if after else ""
        new = _new_place(text, start, end, words, designation)
        if new is not None:
            found.append(new)
    return found


def _from_gazetteer(
    start: int,
    end: int,
    words: str,
    entries: tuple[Entry, ...],
    named_countries: set[str],
) -> Mention:
    countries = [e for e in entries if e.kind == "country"]
    if countries:
        entries = tuple(countries)
    elif len(entries) > 1:
        entries = tuple(e for e in entries if e.country_code in named_countries) or entries
    if len(entries) == 1:
        entry = entries[0]
        what = "a country" if entry.kind == "country" else f"a division of {entry.country_code}"
        return Mention(
            start,
            end,
            _as_place(entry),
            "gazetteer",
            0.8 if entry.kind == "country" else 0.6,
            f"'{words}': {what} in the gazetteer",
        )
    where = ", ".join(sorted({e.country_code for e in entries}))
    return Mention(
        start,
        end,
        KnownPlace("", words, "province", "unknown"),
        "new",
        0.3,
        f"'{words}': divisions of several countries ({where}) bear this name; say which",
    )


_SAID_KIND = {
    "town": "city",
    "city": "city",
    "village": "city",
    "port": "city",
    "capital": "city",
    "district": "district",
    "province": "province",
    "region": "area",
}


def _new_place(text: str, start: int, end: int, words: str, designation: str) -> Mention | None:
    kind = _DESIGNATIONS.get(designation)
    locative = _LOCATIVE.search(text[max(0, start - 40) : start])
    if kind is not None:
        rule = f"'{words}': '{designation}' says it is a {kind.replace('_', ' ')}"
    elif locative is not None:
        if re.search(r"\d", words) or _INSTITUTIONS.search(words):
            return None
        rule = f"'{words}': after '{locative.group().strip()}'"
        said = re.search(r"the (\w+) of", locative.group())
        kind = _SAID_KIND.get(said.group(1).lower()) if said else None
    else:
        return None
    return Mention(
        start,
        end,
        KnownPlace("", words, kind or "area", "unknown"),
        "new",
        0.4,
        f"{rule}, not in the database or the gazetteer: no coordinates",
    )
