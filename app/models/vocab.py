"""Controlled vocabularies. Stored as plain strings; validated on the way in.

Each enum is documented in the published seed format (`seed/schema.json`) and in the API.
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


class ClaimLinkKind(StrEnum):
    contradicts = "contradicts"
    supports = "supports"


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
