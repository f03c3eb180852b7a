"""The seed bundle format: one YAML file per report, validated by these models.

`seed/schema.json` is generated from them (`conflict-reports schema`), and a test keeps it in
sync, so editors can validate a bundle while writing it.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.models.vocab import (
    ACLED_EVENT_TYPES,
    ActorKind,
    ClaimActorRole,
    ClaimChannel,
    ClaimKind,
    ClaimStatus,
    CoordinatePrecision,
    DatePrecision,
    EventActorRole,
    LocationKind,
    MediaActorRole,
    MediaKind,
    PlaceRole,
    QuantityQualifier,
    RelationKind,
)

FORMAT_VERSION = "conflict-reports/1"
# `report.source_file` of a report whose text came inline in its bundle with no file named.
INLINE = "(inline)"

# Ids no item may have: the last segment of a literal path beside `/v1/{collection}/{id}`
# (`/v1/claims/export`), where an item of that id could never be read.
RESERVED_IDS = frozenset({"export", "facets"})


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise ValueError(
            f"'{value}' is reserved: it is the address of a collection's {value} "
            "(/v1/claims/export), so no item can have it as its id"
        )
    return value


SlugId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120),
    AfterValidator(_not_reserved),
    Field(description="Stable identifier: lower-case letters, digits and hyphens."),
]
FUZZY_DATE_PATTERN = r"^(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4}|\d{3}0s)$"
FuzzyDateText = Annotated[
    str,
    Field(
        pattern=FUZZY_DATE_PATTERN,
        description=(
            "A date with its precision: YYYY-MM-DD (day), YYYY-MM (month), YYYY (year) "
            "or YYY0s (decade, e.g. 1980s)."
        ),
        examples=["2021-08-23", "2020-10", "2001", "1980s"],
    ),
]


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date known to a precision: `start` is the first day of the period, `end` the last."""

    start: dt.date
    end: dt.date
    precision: DatePrecision


def parse_fuzzy_date(text: str) -> FuzzyDate:
    """Parse the bundle's date notation; raises ValueError naming what is impossible."""
    if re.fullmatch(r"\d{3}0s", text):
        year = int(text[:4])
        return FuzzyDate(dt.date(year, 1, 1), dt.date(year + 9, 12, 31), DatePrecision.decade)
    parts = text.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return FuzzyDate(dt.date(year, 1, 1), dt.date(year, 12, 31), DatePrecision.year)
    month = int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist in {text!r}")
    last_day = calendar.monthrange(year, month)[1]
    if len(parts) == 2:
        return FuzzyDate(
            dt.date(year, month, 1), dt.date(year, month, last_day), DatePrecision.month
        )
    day = int(parts[2])
    if not 1 <= day <= last_day:
        raise ValueError(f"day {day} does not exist in {year}-{month:02d} ({text!r})")
    day_date = dt.date(year, month, day)
    return FuzzyDate(day_date, day_date, DatePrecision.day)


def _check_fuzzy_date(value: str | None) -> str | None:
    if value is not None:
        parse_fuzzy_date(value)
    return value


class Strict(BaseModel):
    # No Infinity or NaN (JSON readers accept them; no bundle could give them back).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, allow_inf_nan=False)


class Located(Strict):
    """Something quoted from the report: the importer finds its exact characters."""

    occurrence: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Which occurrence to take (1-based) when the words appear more than once.",
    )


class ReportIn(Strict):
    id: SlugId
    title: str = Field(min_length=1)
    headline: str | None = None
    publisher: str = Field(min_length=1)
    outlet: SlugId | None = Field(
        default=None,
        description="The publisher as an actor (kind media_outlet): the claimant of what the "
        "report asserts itself (channel `reporting`).",
    )
    publisher_note: str | None = Field(
        default=None, description="How the publisher was established, where the text omits it."
    )
    author: str | None = None
    published_on: FuzzyDateText = Field(description="Publication date; must be known to the day.")
    published_on_note: str = Field(
        min_length=1, description="The reasoning that established the publication date."
    )
    url: str | None = Field(
        default=None, pattern=r"^https?://", description="Where the report was published."
    )
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$", examples=["en"])
    text_file: str | None = Field(
        default=None,
        max_length=300,
        description="The report's text, in a file relative to this YAML file; stored "
        "verbatim. Beside `text`, it only names the file the text came from.",
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        description="The report's text itself, stored verbatim: how a bundle sent over HTTP "
        "carries it. A bundle gives `text`, `text_file` or both.",
    )
    summary: list[str] = Field(
        default_factory=list,
        description="The summary bullets, quoted from the text (located like any quote).",
    )

    @model_validator(mode="after")
    def _one_text(self) -> "ReportIn":
        if self.text_file is None and self.text is None:
            raise ValueError(
                "the report's text is missing: give it as `text` (the text itself) or as "
                "`text_file` (a file beside the bundle)"
            )
        return self

    @field_validator("published_on")
    @classmethod
    def _day_precision(cls, value: str) -> str:
        if parse_fuzzy_date(value).precision is not DatePrecision.day:
            raise ValueError("the publication date must be a full date, YYYY-MM-DD")
        return value


class ActorIn(Strict):
    id: SlugId
    name: str = Field(min_length=1)
    kind: ActorKind
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    affiliation: str | None = None
    nationality: str | None = None


class RelationIn(Located):
    id: SlugId | None = Field(
        default=None, description="Defaults to `<subject>--<kind>--<object>`."
    )
    subject: SlugId
    kind: RelationKind
    object: SlugId
    quote: str = Field(min_length=1, description="The words that support the relation.")

    @property
    def key(self) -> str:
        return self.id or f"{self.subject}--{self.kind.value.replace('_', '-')}--{self.object}"


class LocationIn(Strict):
    id: SlugId
    name: str = Field(min_length=1)
    kind: LocationKind
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS84 degrees.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS84 degrees.")
    precision: CoordinatePrecision
    parent: SlugId | None = None
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _coordinates_and_precision(self) -> "LocationIn":
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together: give both or neither")
        if self.latitude is None and self.precision is not CoordinatePrecision.unknown:
            raise ValueError("a location without coordinates has precision 'unknown'")
        if self.latitude is not None and self.precision is CoordinatePrecision.unknown:
            raise ValueError("precision 'unknown' is for locations without coordinates")
        return self


class ActorRef(Strict):
    id: SlugId
    role: ClaimActorRole = ClaimActorRole.subject


class PlaceRef(Strict):
    id: SlugId
    role: PlaceRole = PlaceRole.subject


class QuantityIn(Strict):
    value: float
    unit: str = Field(min_length=1, examples=["people", "districts"])
    counted: str = Field(min_length=1, description="What is counted.", examples=["fighters killed"])
    qualifier: QuantityQualifier = QuantityQualifier.exact
    text: str | None = Field(default=None, description="The words the number was read from.")


class ClaimIn(Located):
    id: SlugId
    claimant: SlugId = Field(
        description="Who makes the claim; where the report itself asserts it, the report's "
        "`outlet` (with channel `reporting`)."
    )
    quote: str = Field(min_length=1)
    statement: str = Field(min_length=1, description="The claim in one normalised line.")
    kind: ClaimKind
    channel: ClaimChannel = Field(
        description="How the claimant said it: "
        + ", ".join(ClaimChannel)
        + " (see docs/seed-format.md).",
        examples=["tweet", "interview"],
    )
    venue: SlugId | None = Field(
        default=None,
        description="The outlet it was said to or published in, an actor (Reuters for an "
        "interview with Reuters).",
    )
    stated_on: FuzzyDateText | None = None
    stated_on_text: str | None = Field(
        default=None, description="The words the date was resolved from, e.g. 'on Monday'."
    )
    status: ClaimStatus = ClaimStatus.unverified
    actors: list[ActorRef] = Field(default_factory=list)
    locations: list[PlaceRef] = Field(default_factory=list)
    quantities: list[QuantityIn] = Field(default_factory=list)
    contradicts: list[SlugId] = Field(default_factory=list)
    supports: list[SlugId] = Field(default_factory=list)
    restates: list[SlugId] = Field(
        default_factory=list,
        description="Claims of the same report this one says again (a summary bullet "
        "repeating the body): the pair must have the same status, and shares contradictions.",
    )

    _stated_on = field_validator("stated_on")(_check_fuzzy_date)


class MediaActorRef(Strict):
    id: SlugId
    role: MediaActorRole = MediaActorRole.shown


class MediaIn(Located):
    id: SlugId
    kind: MediaKind
    caption: str = Field(min_length=1, description="The caption (or tweet text) as printed.")
    posted_by: SlugId | None = None
    credit: str | None = None
    platform: str | None = None
    posted_on: FuzzyDateText | None = None
    posted_on_text: str | None = None
    actors: list[MediaActorRef] = Field(default_factory=list)
    locations: list[SlugId] = Field(default_factory=list)
    claim: SlugId | None = Field(default=None, description="The claim the item carries.")

    _posted_on = field_validator("posted_on")(_check_fuzzy_date)


class EventActorRef(Strict):
    id: SlugId
    role: EventActorRole = EventActorRole.participant


# What an integer column holds on both engines.
MAX_COUNT = 2**31 - 1


class FatalitiesIn(Strict):
    low: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    best: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    high: int | None = Field(default=None, ge=0, le=MAX_COUNT)

    @model_validator(mode="after")
    def _ordered(self) -> "FatalitiesIn":
        known = [v for v in (self.low, self.best, self.high) if v is not None]
        if known != sorted(known):
            raise ValueError("fatalities must satisfy low <= best <= high")
        return self


class EventIn(Strict):
    id: SlugId
    title: str = Field(min_length=1)
    description: str | None = None
    event_type: str = Field(description="ACLED event type.", examples=["Battles"])
    sub_event_type: str = Field(description="ACLED sub-event type.", examples=["Armed clash"])
    date: FuzzyDateText
    date_text: str | None = None
    location: SlugId | None = None
    actors: list[EventActorRef] = Field(default_factory=list)
    fatalities: FatalitiesIn = Field(default_factory=FatalitiesIn)
    claims: list[SlugId] = Field(default_factory=list, description="Claims that report it.")

    _date = field_validator("date")(_check_fuzzy_date)

    @model_validator(mode="after")
    def _acled_types(self) -> "EventIn":
        subtypes = ACLED_EVENT_TYPES.get(self.event_type)
        if subtypes is None:
            raise ValueError(
                f"event_type {self.event_type!r} is not an ACLED event type "
                f"({', '.join(ACLED_EVENT_TYPES)})"
            )
        if self.sub_event_type not in subtypes:
            raise ValueError(
                f"sub_event_type {self.sub_event_type!r} is not one of {self.event_type!r}'s "
                f"({', '.join(subtypes)})"
            )
        return self


class Bundle(Strict):
    """One report and everything extracted from it."""

    model_config = ConfigDict(extra="forbid", title="conflict-reports seed bundle")

    format: Literal["conflict-reports/1"] = "conflict-reports/1"
    report: ReportIn
    actors: list[ActorIn] = Field(default_factory=list)
    locations: list[LocationIn] = Field(default_factory=list)
    relations: list[RelationIn] = Field(default_factory=list)
    claims: list[ClaimIn] = Field(default_factory=list)
    media: list[MediaIn] = Field(default_factory=list)
    events: list[EventIn] = Field(default_factory=list)


def bundle_json_schema() -> dict[str, Any]:
    schema = Bundle.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
