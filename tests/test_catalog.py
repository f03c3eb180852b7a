"""The catalog: every collection declared once and listed once, its declaration consistent
with what its routes answer."""

import dataclasses

import pytest

from app.catalog import BY_ITEM_TYPE, BY_NAME, COLLECTIONS, FACET_SETS
from app.core.collection import Collection
from app.core.http.negotiation import Format
from app.main import create_app


def test_names_and_item_types_are_one_each() -> None:
    assert [c.name for c in COLLECTIONS] == [
        "reports",
        "actors",
        "locations",
        "claims",
        "media",
        "events",
    ]
    assert len(BY_NAME) == len(BY_ITEM_TYPE) == len(COLLECTIONS)
    assert BY_ITEM_TYPE["claim"] is BY_NAME["claims"]
    assert [s.collection for s in FACET_SETS] == ["claims", "media", "events"]


def test_every_collection_has_its_list_export_and_item_routes() -> None:
    paths = create_app().openapi()["paths"]
    for collection in COLLECTIONS:
        base = f"/v1/{collection.name}"
        assert {base, f"{base}/export"} <= paths.keys(), collection.name
        assert any(p.startswith(f"{base}/{{") for p in paths), collection.name
        assert (f"{base}/facets" in paths) == (collection.facets is not None), collection.name


def test_the_offered_formats_are_the_lists_format_parameter() -> None:
    everything = (Format.json, Format.csv, Format.ndjson, Format.geojson, Format.jsonld)
    assert BY_NAME["claims"].formats == everything
    assert BY_NAME["actors"].formats == (Format.json, Format.csv, Format.ndjson)
    claims = BY_NAME["claims"]
    with pytest.raises(ValueError, match=r"claims: the list's `format` takes"):
        dataclasses.replace(claims, jsonld=None)
    with pytest.raises(ValueError, match="need `places`"):
        dataclasses.replace(claims, places=None)


def test_sort_fields_are_what_the_list_documents() -> None:
    for collection in COLLECTIONS:
        description = collection.list_params.model_fields["sort"].description or ""
        for name in collection.sort_fields:
            assert f"`{name}`" in description, (collection.name, name)
    with pytest.raises(ValueError, match="`id` must be a sort field"):
        dataclasses.replace(BY_NAME["actors"], sort_fields={})


def test_a_collection_is_frozen() -> None:
    collection: Collection = BY_NAME["media"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        collection.name = "pictures"  # type: ignore[misc]
