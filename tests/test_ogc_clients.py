"""The OGC API as GIS users open it, on a real server over each engine: OWSLib's `Features`
client (what Python scripts use) and GDAL/OGR's OAPIF driver (what QGIS and `ogr2ogr`
use), each with the seed's expected features."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from owslib.ogcapi.features import Features
from sqlalchemy import Engine

from app.main import create_app
from tests.helpers import in_thread

OGRINFO = shutil.which("ogrinfo")
OGR2OGR = shutil.which("ogr2ogr")
# CI installs Debian's gdal-bin (.ci/run); elsewhere a machine without it skips GDAL's tests.
needs_gdal = pytest.mark.skipif(
    OGRINFO is None or OGR2OGR is None, reason="GDAL (Debian's gdal-bin) is not installed"
)

BOX = [69.0, 35.0, 70.5, 36.0]


@pytest.fixture(scope="module")
def server(engine: Engine) -> Iterator[str]:
    with in_thread(create_app(engine)) as base:
        yield base


def _ids(collection: dict[str, Any]) -> set[str]:
    return {feature["id"] for feature in collection["features"]}


def _v1_feature_count(client: TestClient, name: str) -> int:
    """Features a `/v1` list stands for: one per item, or per item and place it names."""
    items = client.get(f"/v1/{name}", params={"limit": 500}).json()["items"]
    if name in ("claims", "media"):
        return sum(len(item["locations"]) for item in items)
    return len(items)


def test_owslib_lists_the_collections_and_reads_their_features(server: str) -> None:
    service = Features(f"{server}/ogc")
    assert service.feature_collections() == ["locations", "claims", "media", "events"]
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (service.conformance()["conformsTo"])
    )
    assert service.api()["openapi"] == "3.0.3"
    queryables = service.collection_queryables("claims")["properties"]
    assert {"claimant_id", "kind", "stated_on"} <= set(queryables)
    valley = service.collection_item("locations", "panjshir-valley")
    assert valley["geometry"]["coordinates"] == [69.6, 35.35]


def test_owslib_reads_with_bbox_datetime_and_a_cql2_filter(server: str) -> None:
    service = Features(f"{server}/ogc")
    boxed = service.collection_items("claims", bbox=BOX, limit=100)
    assert boxed["numberMatched"] == len(boxed["features"]) == 16
    assert "taliban-panjshir-surrounded-summary/panjshir-valley" in _ids(boxed)
    assert "taliban-panjshir-surrounded-summary/kabul" not in _ids(boxed)
    monday = service.collection_items("claims", datetime_="2021-08-23/2021-08-23", limit=100)
    assert {feature["properties"]["id"] for feature in monday["features"]} == {
        "massoud-appeal-to-the-french",
        "na-tajik-helicopter-photo",
        "taliban-panjshir-surrounded",
        "taliban-panjshir-surrounded-summary",
    }
    filtered = service.collection_items(
        "claims", filter="claimant_id = 'taliban' AND stated_on >= DATE('2021-08-23')", limit=100
    )
    assert _ids(filtered) == {
        "taliban-panjshir-surrounded/panjshir-valley",
        "taliban-panjshir-surrounded-summary/panjshir-valley",
        "taliban-panjshir-surrounded-summary/kabul",
    }
    events = service.collection_items("events", filter="fatalities >= 1", limit=100)
    expected = httpx.get(f"{server}/v1/events", params={"min_fatalities": 1, "limit": 500}).json()[
        "items"
    ]
    assert {item["id"] for item in expected} == {"assassination-ahmad-shah-massoud", "fuj-ambush"}
    assert [feature["id"] for feature in events["features"]] == [item["id"] for item in expected]


def _ogr(*arguments: str) -> str:
    completed = subprocess.run(
        [*arguments], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@needs_gdal
def test_gdal_lists_the_layers_and_counts_the_apis_features(
    server: str, client: TestClient
) -> None:
    assert OGRINFO is not None
    listing = _ogr(OGRINFO, "-ro", "-q", f"OAPIF:{server}/ogc")
    assert [line.split(":")[1].split("(")[0].strip() for line in listing.splitlines()] == [
        "locations",
        "claims",
        "media",
        "events",
    ]
    for name in ("locations", "claims", "media", "events"):
        summary = _ogr(OGRINFO, "-ro", "-so", f"OAPIF:{server}/ogc", name)
        count = int(summary.split("Feature Count: ")[1].split()[0])
        matched = httpx.get(f"{server}/ogc/collections/{name}/items").json()["numberMatched"]
        assert count == matched == _v1_feature_count(client, name), name


@needs_gdal
def test_gdal_copies_every_feature_once_with_its_properties(
    server: str, client: TestClient, tmp_path: Path
) -> None:
    """`ogr2ogr` pages through the whole layer (following `next` links) into a file."""
    assert OGR2OGR is not None
    for name in ("claims", "locations"):
        target = tmp_path / f"{name}.geojson"
        _ogr(OGR2OGR, "-f", "GeoJSON", str(target), f"OAPIF:{server}/ogc", name)
        copied = json.loads(target.read_text(encoding="utf-8"))["features"]
        ids = [feature["properties"]["id"] for feature in copied]
        assert len(copied) == _v1_feature_count(client, name)
        if name == "locations":
            assert len(ids) == len(set(ids))
            kabul = next(f for f in copied if f["properties"]["id"] == "kabul")
            assert kabul["geometry"]["coordinates"] == [69.2075, 34.5553]
        else:
            pairs = [(f["properties"]["id"], f["properties"]["location_id"]) for f in copied]
            assert len(pairs) == len(set(pairs))


@needs_gdal
def test_gdal_filters_by_bbox_on_the_server(server: str) -> None:
    """`-spat` becomes the request's `bbox`: the features inside the box."""
    assert OGRINFO is not None
    summary = _ogr(OGRINFO, "-ro", "-so", "-spat", *map(str, BOX), f"OAPIF:{server}/ogc", "claims")
    assert int(summary.split("Feature Count: ")[1].split()[0]) == 16
