"""Controlled vocabularies. Stored as plain strings; validated on the way in.

Each enum is documented in the published seed format (`seed/schema.json`) and in the API, and
every value has a human label (`LABELS`, `label_of`): facet buckets show it.
"""

from enum import StrEnum


class ActorKind(StrEnum):
    person = "person"
    armed_group = "armed_group"
    armed_forces = "armed_forces"
    government = "government"
    state = "state"
    political_organization = "political_organization"
    media_outlet = "media_outlet"
    military_academy = "military_academy"
    university = "university"
    organization = "organization"


class RelationKind(StrEnum):
    child_of = "child_of"
    leads = "leads"
    member_of = "member_of"
    allied_with = "allied_with"
    supports = "supports"
    opposes = "opposes"
    killed_by = "killed_by"
    educated_at = "educated_at"
    lobbies = "lobbies"
    met_with = "met_with"


class LocationKind(StrEnum):
    country = "country"
    province = "province"
    district = "district"
    valley = "valley"
    city = "city"
    mountain_range = "mountain_range"
    area = "area"
    site = "site"


class CoordinatePrecision(StrEnum):
    """How far the point may be from the place it stands for."""

    site = "site"  # within about 1 km
    city = "city"  # within about 10 km
    district = "district"  # within about 30 km
    province = "province"  # within about 100 km
    region = "region"  # a representative point of a large area
    country = "country"  # a centroid of a country
    unknown = "unknown"  # no coordinates: the place could not be located honestly


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"
    decade = "decade"


class ClaimKind(StrEnum):
    territorial_control = "territorial_control"
    casualties = "casualties"
    force_strength = "force_strength"
    military_action = "military_action"
    vow = "vow"
    appeal = "appeal"
    support_received = "support_received"
    negotiation = "negotiation"
    stance = "stance"
    assessment = "assessment"
    policy = "policy"
    governance = "governance"
    historical = "historical"
    no_comment = "no_comment"
    description = "description"


class ClaimStatus(StrEnum):
    unverified = "unverified"
    disputed = "disputed"
    corroborated = "corroborated"
    denied = "denied"


class ClaimChannel(StrEnum):
    """How the claimant said it: the medium, not the words. The venue (the outlet spoken to
    or published in) is a field of its own, an actor."""

    statement = "statement"
    interview = "interview"
    tweet = "tweet"
    social_media_post = "social_media_post"
    published_appeal = "published_appeal"
    reporting = "reporting"
    unspecified = "unspecified"


class ClaimLinkKind(StrEnum):
    contradicts = "contradicts"
    supports = "supports"
    # The source says again what the target says (a summary bullet repeating the body): the
    # pair shares its status and its contradictions.
    restates = "restates"


class QuantityQualifier(StrEnum):
    exact = "exact"
    approximately = "approximately"
    more_than = "more_than"
    at_least = "at_least"
    at_most = "at_most"


class ClaimActorRole(StrEnum):
    subject = "subject"
    target = "target"
    addressee = "addressee"
    beneficiary = "beneficiary"
    source = "source"
    mentioned = "mentioned"


class PlaceRole(StrEnum):
    subject = "subject"
    origin = "origin"
    destination = "destination"
    mentioned = "mentioned"


class MediaKind(StrEnum):
    photo = "photo"
    video = "video"
    map = "map"
    tweet = "tweet"


class MediaActorRole(StrEnum):
    shown = "shown"
    mentioned = "mentioned"


class EventActorRole(StrEnum):
    attacker = "attacker"
    defender = "defender"
    perpetrator = "perpetrator"
    victim = "victim"
    supplier = "supplier"
    recipient = "recipient"
    participant = "participant"


# (label, description) of every channel: the docs' table and the API's documentation.
CHANNELS: dict[ClaimChannel, tuple[str, str]] = {
    ClaimChannel.statement: (
        "Statement",
        "A public statement or announcement; the report says the claimant claimed or said it.",
    ),
    ClaimChannel.interview: (
        "Interview",
        "Said in an interview or to a journalist; `venue` is the outlet (Reuters, Politico).",
    ),
    ClaimChannel.tweet: ("Tweet", "A post on Twitter (X), quoted or paraphrased."),
    ClaimChannel.social_media_post: (
        "Social media post",
        "A photo or video posted on social media with the claim as its message.",
    ),
    ClaimChannel.published_appeal: (
        "Published appeal",
        "An appeal or open letter published in the press; `venue` is the publication.",
    ),
    ClaimChannel.reporting: (
        "The report's own reporting",
        "Asserted by the report itself; the claimant is the report's outlet.",
    ),
    ClaimChannel.unspecified: (
        "Not stated",
        "The report quotes or paraphrases the claimant without saying how or where it was said.",
    ),
}


def channel_description() -> str:
    """The channel vocabulary as Markdown, for the API's documentation."""
    return "; ".join(f"`{value}`: {text}" for value, (_label, text) in CHANNELS.items())


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


# A label for every value of every vocabulary. Where the words of the value read well,
# they are the label; the others are spelt out.
LABELS: dict[type[StrEnum], dict[str, str]] = {
    ActorKind: {
        **{v.value: _words(v.value) for v in ActorKind},
        "media_outlet": "Media outlet",
    },
    RelationKind: {
        "child_of": "Child of",
        "leads": "Leads",
        "member_of": "Member of",
        "allied_with": "Allied with",
        "supports": "Supports",
        "opposes": "Opposes",
        "killed_by": "Killed by",
        "educated_at": "Educated at",
        "lobbies": "Lobbies",
        "met_with": "Met with",
    },
    LocationKind: {v.value: _words(v.value) for v in LocationKind},
    CoordinatePrecision: {
        "site": "Site (within about 1 km)",
        "city": "City (within about 10 km)",
        "district": "District (within about 30 km)",
        "province": "Province (within about 100 km)",
        "region": "Region (a representative point)",
        "country": "Country (a centroid)",
        "unknown": "Unknown (not located)",
    },
    DatePrecision: {v.value: _words(v.value) for v in DatePrecision},
    ClaimKind: {
        "territorial_control": "Territorial control",
        "casualties": "Casualties",
        "force_strength": "Force strength",
        "military_action": "Military action",
        "vow": "Vow",
        "appeal": "Appeal",
        "support_received": "Support received",
        "negotiation": "Negotiation",
        "stance": "Stance",
        "assessment": "Assessment",
        "policy": "Policy",
        "governance": "Governance",
        "historical": "Historical",
        "no_comment": "No comment",
        "description": "Description",
    },
    ClaimStatus: {
        "unverified": "Unverified",
        "disputed": "Disputed",
        "corroborated": "Corroborated",
        "denied": "Denied",
    },
    ClaimChannel: {value.value: label for value, (label, _text) in CHANNELS.items()},
    ClaimLinkKind: {"contradicts": "Contradicts", "supports": "Supports", "restates": "Restates"},
    QuantityQualifier: {
        "exact": "Exactly",
        "approximately": "Approximately",
        "more_than": "More than",
        "at_least": "At least",
        "at_most": "At most",
    },
    ClaimActorRole: {v.value: _words(v.value) for v in ClaimActorRole},
    PlaceRole: {v.value: _words(v.value) for v in PlaceRole},
    MediaKind: {"photo": "Photo", "video": "Video", "map": "Map", "tweet": "Tweet"},
    MediaActorRole: {v.value: _words(v.value) for v in MediaActorRole},
    EventActorRole: {v.value: _words(v.value) for v in EventActorRole},
}


def label_of(vocabulary: type[StrEnum], value: str | None) -> str | None:
    """The human label of a vocabulary value (None for None; the value itself if unknown)."""
    if value is None:
        return None
    return LABELS[vocabulary].get(value, value)


# ACLED's event types and their sub-event types, spelt as ACLED publishes them.
ACLED_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
