"""Places in a draft (app.drafting.places): matched to the database's locations, else to the
gazetteer shipped with the package, else proposed without coordinates and marked."""

import csv
import datetime as dt
import io
import re
from importlib import resources

import yaml

from app.drafting.draft import KnownActor, make_draft, to_yaml
from app.drafting.places import KnownPlace, find_places
from app.importer.bundle import Bundle

DAY = dt.date(2025, 3, 4)
VALLEY = KnownPlace(
    "panjshir-valley",
    "Panjshir Valley",
    "valley",
    "district",
    35.35,
    69.6,
    "AF",
    ("the Panjshir", "the valley"),
)
MASSOUD = KnownActor("ahmad-massoud", "Ahmad Massoud", "person", ("Massoud",))


def _found(text: str, places: list[KnownPlace] | None = None) -> list[tuple[str, str, str]]:
    return [
        (text[m.start : m.end], m.source, m.place.name)
        for m in find_places(text, places=places or [], actor_names=["Tajikistan", "Massoud"])
    ]


def test_the_gazetteer_holds_every_country_and_first_level_division_with_coordinates() -> None:
    raw = resources.files("app.drafting").joinpath("data/gazetteer.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    countries = {row["name"]: row for row in rows if row["kind"] == "country"}
    divisions = [row for row in rows if row["kind"] == "admin1"]
    assert len(countries) >= 230
    assert len(divisions) >= 4000
    assert countries["France"]["country_code"] == "FR"
    assert countries["Norway"]["country_code"] == "NO"
    kandahar = next(row for row in divisions if row["name"] == "Kandahar")
    assert (kandahar["country_code"], kandahar["latitude"], kandahar["longitude"]) == (
        "AF",
        "31.12",
        "66.14",
    )
    for row in rows:
        assert -90 <= float(row["latitude"]) <= 90
        assert -180 <= float(row["longitude"]) <= 180
        assert re.fullmatch("[A-Z]{2}", row["country_code"])


def test_a_country_and_a_division_come_from_the_gazetteer_with_their_coordinates() -> None:
    text = "Fighting spread from Kandahar to the border with Pakistan and Iran on Monday."
    draft = make_draft(text, published=DAY, actors=[])
    by_name = {place["name"]: place for place in draft.bundle["locations"]}
    assert by_name["Kandahar"] == {
        "id": "kandahar",
        "name": "Kandahar",
        "kind": "province",
        "precision": "province",
        "latitude": 31.12,
        "longitude": 66.14,
        "country_code": "AF",
    }
    assert (by_name["Pakistan"]["kind"], by_name["Pakistan"]["country_code"]) == ("country", "PK")
    assert by_name["Iran"]["precision"] == "country"
    assert "# check: 'Kandahar': a division of AF in the gazetteer: check it is this one" in (
        to_yaml(draft)
    )


def test_a_shared_division_name_has_no_coordinates_unless_its_country_is_named() -> None:
    alone = make_draft("Floods hit Punjab.", published=DAY, actors=[]).bundle["locations"]
    assert alone == [{"id": "punjab", "name": "Punjab", "kind": "province", "precision": "unknown"}]
    with_country = make_draft(
        "Floods hit Punjab, Pakistan's most populous province.", published=DAY, actors=[]
    ).bundle["locations"]
    punjab = next(place for place in with_country if place["name"] == "Punjab")
    assert (punjab["country_code"], punjab["latitude"]) == ("PK", 31.36)


def test_the_databases_locations_come_first_by_name_and_proper_alias() -> None:
    text = "Fighters massed in the Panjshir. The valley is quiet; Panjshir Valley waits."
    found = _found(text, [VALLEY])
    assert found == [
        ("Panjshir", "database", "Panjshir Valley"),
        ("Panjshir Valley", "database", "Panjshir Valley"),
    ]  # "the valley" (a common noun) is not matched, "The valley" neither
    draft = make_draft(text, published=DAY, actors=[], places=[VALLEY])
    assert draft.bundle["locations"] == [
        {
            "id": "panjshir-valley",
            "name": "Panjshir Valley",
            "kind": "valley",
            "precision": "district",
            "latitude": 35.35,
            "longitude": 69.6,
            "country_code": "AF",
            "aliases": ["the Panjshir", "the valley"],  # as the database has it
        }
    ]


def test_an_unknown_place_is_proposed_without_coordinates_only_where_the_text_says_it_is_one() -> (
    None
):
    text = (
        "Shelling hit the town of Qarabad overnight. Rebels crossed into neighbouring Dostan "
        "province and the Korval Pass. Victoria Nuland met Massoud. She has a degree in War "
        "Studies. The drone was sent by Tajikistan; a second landed in Tajikistan."
    )
    assert _found(text) == [
        ("Qarabad", "new", "Qarabad"),
        ("Dostan", "new", "Dostan"),
        ("Korval Pass", "new", "Korval Pass"),
        ("Tajikistan", "gazetteer", "Tajikistan"),
    ]  # not Victoria (a person's name), War Studies, or Tajikistan as the actor that sent it
    draft = make_draft(text, published=DAY, actors=[])
    kinds = {place["name"]: place["kind"] for place in draft.bundle["locations"]}
    assert kinds == {
        "Qarabad": "city",
        "Dostan": "province",
        "Korval Pass": "site",
        "Tajikistan": "country",
    }
    qarabad = next(p for p in draft.bundle["locations"] if p["name"] == "Qarabad")
    assert "latitude" not in qarabad
    assert qarabad["precision"] == "unknown"
    marked = to_yaml(draft)
    assert (
        "precision: unknown  # check: 'Qarabad': after 'the town of', not in the database or "
        "the gazetteer: no coordinates" in marked
    )
    Bundle.model_validate(yaml.safe_load(marked))


def test_a_claim_is_linked_to_the_places_its_quote_names() -> None:
    text = "‘We hold Kandahar and the road to Pakistan,’ Massoud said.\n\nHe spoke in Kabul."
    draft = make_draft(text, published=DAY, actors=[MASSOUD])
    (claim,) = draft.bundle["claims"]
    assert claim["locations"] == [
        {"id": "kandahar", "role": "mentioned"},
        {"id": "pakistan", "role": "mentioned"},
    ]  # not Kabul, outside the quote
    assert {p["id"] for p in draft.bundle["locations"]} == {"kandahar", "pakistan", "kabul"}
    places = [p for p in draft.proposals if p.what == "place"]
    assert [text[p.start : p.end] for p in places] == ["Kandahar", "Pakistan", "Kabul"]
