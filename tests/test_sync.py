"""Incremental sync: `updated_at` on every item, `updated_since` on every collection, the
deletion log at /v1/deleted, `Last-Modified` on item routes, and `DataChanges.version`."""

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app import catalog
from app.catalog import CHANGES
from app.core.query.sync import FIXED_TIME, rfc3339
from app.importer import import_paths
from app.main import create_app
from app.migrate import alembic_config, upgrade_to_head
from app.synth import synthesize
from tests.conftest import SEED_FILE, DatabaseFactory
from tests.helpers import assert_problem, get_json, id_set, replace_in

BUNDLE_NAME = SEED_FILE.name
# The seed is stamped FIXED_TIME (conftest); the edited copy a later time, with microseconds.
EDITED_AT = dt.datetime(2021, 9, 2, 12, 30, 15, 123456, tzinfo=dt.UTC)
RESTORED_AT = dt.datetime(2021, 9, 3, tzinfo=dt.UTC)
EDITED = "taliban-panjshir-surrounded"
REMOVED = "levy-massoud-only-one-who-resists"
UNCHANGED = "massoud-fight-to-the-last"
COLLECTIONS = ("claims", "actors", "locations", "events", "media", "reports")
RFC3339_MICROS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _edit_claim_and_remove_another(seed: Path) -> None:
    bundle = seed / BUNDLE_NAME
    replace_in(
        bundle,
        "statement: The Taliban have surrounded the Panjshir.",
        "statement: The Taliban say they have encircled the Panjshir.",
    )
    text = bundle.read_text(encoding="utf-8")
    # A claim nothing refers to, and a place no item refers to: both go.
    start, end = text.index(f"  - id: {REMOVED}"), text.index("  - id: levy-france-should-help")
    text = text[:start] + text[end:]
    start, end = text.index("  - id: washington\n"), text.index("\nrelations:")
    bundle.write_text(text[:start] + text[end + 1 :], encoding="utf-8")


@pytest.fixture
def edited_engine(make_database: Callable[..., Engine], seed_copy: Path) -> Engine:
    """A database seeded at FIXED_TIME, then re-imported from an edited copy at EDITED_AT."""
    engine = make_database()
    _edit_claim_and_remove_another(seed_copy)
    import_paths(engine, [seed_copy], now=EDITED_AT)
    return engine


@pytest.fixture
def edited(edited_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(edited_engine)) as client:
        yield client


def test_every_item_has_updated_at_in_one_format(client: TestClient) -> None:
    for collection in COLLECTIONS:
        page = get_json(client, f"/v1/{collection}", limit=500)
        assert page["items"], collection
        stamps = {item["updated_at"] for item in page["items"]}
        # The seed of the shared database is stamped FIXED_TIME.
        assert stamps == {"2021-09-01T00:00:00.000000Z"}, collection
        first = page["items"][0]["id"]
        detail = get_json(client, f"/v1/{collection}/{first}")
        assert detail["updated_at"] == "2021-09-01T00:00:00.000000Z"


def test_item_routes_send_last_modified(client: TestClient) -> None:
    for path in (
        "/v1/claims/taliban-panjshir-surrounded",
        "/v1/actors/ahmad-massoud",
        "/v1/locations/panjshir-valley",
        "/v1/events/fuj-ambush",
        "/v1/media/video-humvees-rolling",
        "/v1/reports/panjshir-last-bastion-2021-08-24",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["last-modified"] == "Wed, 01 Sep 2021 00:00:00 GMT", path
    # Lists, and a missing item, have none.
    assert "last-modified" not in client.get("/v1/claims").headers
    assert "last-modified" not in client.get("/v1/claims/no-such-claim").headers


def test_last_modified_is_the_datas_last_change_so_a_stale_answer_never_304s(
    edited: TestClient,
) -> None:
    """An item's answer shows other items (a claim's contradicting claims, an actor's claims):
    after an import that changed any of them, `If-Modified-Since` with the old time must get
    the new answer, not a 304, even where the item's own `updated_at` did not move."""
    old = "Wed, 01 Sep 2021 00:00:00 GMT"
    new = "Thu, 02 Sep 2021 12:30:16 GMT"  # EDITED_AT rounded up to the second
    for path in (
        "/v1/actors/taliban",  # its claims include the edited one
        f"/v1/claims/{UNCHANGED}",
        "/v1/reports/panjshir-last-bastion-2021-08-24",
        "/v1/reports/panjshir-last-bastion-2021-08-24/text",
    ):
        fresh = edited.get(path, headers={"If-Modified-Since": old})
        assert fresh.status_code == 200, path
        assert fresh.headers["last-modified"] == new, path
        again = edited.get(path, headers={"If-Modified-Since": new})
        assert again.status_code == 304, path
    actor = get_json(edited, "/v1/actors/taliban")
    assert actor["updated_at"] == rfc3339(FIXED_TIME)  # its own fields did not change
    assert "encircled" in str(actor)


def test_reimport_lists_exactly_the_edits_and_the_deletions(edited: TestClient) -> None:
    since = "2021-09-02T00:00:00Z"
    assert id_set(edited, "/v1/claims", updated_since=since) == {EDITED}
    for collection in ("actors", "locations", "events", "media", "reports"):
        assert id_set(edited, f"/v1/{collection}", updated_since=since) == set(), collection
    # The edited claim carries the import's time, to the microsecond; the others keep theirs.
    claim = get_json(edited, f"/v1/claims/{EDITED}")
    assert claim["statement"] == "The Taliban say they have encircled the Panjshir."
    assert claim["updated_at"] == "2021-09-02T12:30:15.123456Z"
    assert get_json(edited, f"/v1/claims/{UNCHANGED}")["updated_at"] == rfc3339(FIXED_TIME)
    response = edited.get(f"/v1/claims/{EDITED}")
    assert (
        response.headers["last-modified"] == "Thu, 02 Sep 2021 12:30:16 GMT"
    )  # rounded up to the second
    # updated_since is inclusive, and any zone is read as the moment it names.
    exact = {"updated_since": "2021-09-02T12:30:15.123456Z"}
    assert id_set(edited, "/v1/claims", **exact) == {EDITED}
    assert id_set(edited, "/v1/claims", updated_since="2021-09-02T17:00:15.123457+04:30") == set()
    assert len(id_set(edited, "/v1/claims", updated_since="2021-08-31T23:59:59Z")) == 29

    deleted = get_json(edited, "/v1/deleted", since=since)
    assert deleted["items"] == [
        {"entity_type": "claims", "id": REMOVED, "deleted_at": "2021-09-02T12:30:15.123456Z"},
        {
            "entity_type": "locations",
            "id": "washington",
            "deleted_at": "2021-09-02T12:30:15.123456Z",
        },
    ]
    assert deleted["total"] == 2
    assert deleted["next_cursor"] is None
    only_claims = get_json(edited, "/v1/deleted", since=since, entity_type="claims")
    assert [item["id"] for item in only_claims["items"]] == [REMOVED]
    assert get_json(edited, "/v1/deleted", since="2021-09-02T12:30:15.123457Z")["items"] == []
    # Without `since`: the whole log.
    assert get_json(edited, "/v1/deleted")["total"] == 2
    assert edited.get(f"/v1/claims/{REMOVED}").status_code == 404


def test_updated_since_filters_facets_and_pages_by_updated_at(edited: TestClient) -> None:
    facets = get_json(edited, "/v1/claims/facets", updated_since="2021-09-02T00:00:00Z")
    assert facets["total"] == 1
    assert facets["facets"]["claimant"][0]["value"] == "taliban"
    assert get_json(edited, "/v1/events/facets", updated_since="2021-09-02T00:00:00Z")["total"] == 0
    everything = get_json(edited, "/v1/media/facets", updated_since="2000-01-01T00:00:00Z")
    assert everything["total"] == get_json(edited, "/v1/media/facets")["total"] > 0
    # Newest first: the edited claim, then the rest in id order; paged by cursor.
    newest = get_json(edited, "/v1/claims", sort="-updated_at", limit=1)
    assert newest["items"][0]["id"] == EDITED
    walked: list[str] = []
    cursor = None
    while True:
        page = get_json(
            edited,
            "/v1/claims",
            sort="updated_at",
            limit=5,
            **({"cursor": cursor} if cursor else {}),
        )
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(walked) == 29
    assert walked[-1] == EDITED
    assert walked[:-1] == sorted(walked[:-1])
    # The same walk with a filter set besides, on the statements cached per request shape.
    filtered = get_json(
        edited,
        "/v1/claims",
        sort="updated_at",
        claimant_id="taliban",
        updated_since="2021-09-02T00:00:00Z",
    )
    assert [item["id"] for item in filtered["items"]] == [EDITED]


def test_a_link_that_goes_stamps_the_claims_at_both_ends(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()
    replace_in(
        seed_copy / BUNDLE_NAME,
        "      - {id: panjshir-valley-entrance, role: subject}\n"
        "    contradicts: [taliban-panjshir-surrounded]\n",
        "      - {id: panjshir-valley-entrance, role: subject}\n",
    )
    import_paths(engine, [seed_copy], now=EDITED_AT)
    with TestClient(create_app(engine)) as client:
        changed = id_set(client, "/v1/claims", updated_since="2021-09-02T00:00:00Z")
        # Its own link went; the claim it contradicted no longer lists it, nor does that
        # claim's restatement group (the summary bullet restating it and the claim the bullet
        # restates too), which shared the contradiction.
        assert changed == {
            "massoud-no-fighter-has-dared",
            "taliban-panjshir-surrounded",
            "taliban-panjshir-surrounded-summary",
            "taliban-sending-hundreds",
        }
        summary = get_json(client, "/v1/claims/taliban-panjshir-surrounded-summary")
        assert "massoud-no-fighter-has-dared" not in summary["contradicts"]


def test_a_deleted_id_created_again_leaves_the_log(
    edited_engine: Engine, edited: TestClient, seed_copy: Path
) -> None:
    seed_copy.joinpath(BUNDLE_NAME).write_bytes(SEED_FILE.read_bytes())
    import_paths(edited_engine, [seed_copy], now=RESTORED_AT)
    since = "2021-09-03T00:00:00Z"
    # Back (and the edited claim edited back): listed by updated_since, gone from the log.
    assert id_set(edited, "/v1/claims", updated_since=since) == {EDITED, REMOVED}
    assert id_set(edited, "/v1/locations", updated_since=since) == {"washington"}
    assert get_json(edited, "/v1/deleted")["items"] == []
    assert get_json(edited, f"/v1/claims/{REMOVED}")["updated_at"] == "2021-09-03T00:00:00.000000Z"


def test_the_data_version_changes_with_the_data(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()

    def version() -> str:
        with Session(engine) as session:
            return CHANGES.version(session)

    seeded = version()
    assert re.fullmatch(r"[0-9a-f]{20}", seeded)
    import_paths(engine, [seed_copy], now=EDITED_AT)  # the same bundle: nothing changes
    assert version() == seeded
    replace_in(
        seed_copy / BUNDLE_NAME,
        "statement: The Taliban have surrounded the Panjshir.",
        "statement: The Taliban say they have encircled the Panjshir.",
    )
    import_paths(engine, [seed_copy], now=EDITED_AT)
    edited = version()
    assert edited != seeded
    text = (seed_copy / BUNDLE_NAME).read_text(encoding="utf-8")
    start, end = text.index("  - id: washington\n"), text.index("\nrelations:")
    (seed_copy / BUNDLE_NAME).write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    import_paths(engine, [seed_copy], now=RESTORED_AT)  # a deletion alone
    assert version() not in {seeded, edited}


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/v1/claims", "updated_since", "2021-09-01T00:00:00"),
        ("/v1/claims", "updated_since", "yesterday"),
        ("/v1/actors", "updated_since", "2021-09-01"),
        ("/v1/locations", "updated_since", "2021-13-01T00:00:00Z"),
        ("/v1/events/facets", "updated_since", "2021-09-01 00:00"),
        ("/v1/reports", "updated_since", "9999-12-31T23:59:59-01:00"),
        ("/v1/media", "updated_since", "0001-01-01T00:00:00+01:00"),
        ("/v1/deleted", "since", "2021-09-01T00:00:00"),
        ("/v1/deleted", "since", "not a time"),
    ],
)
def test_a_bad_time_is_a_400_naming_it(
    client: TestClient, path: str, parameter: str, value: str
) -> None:
    problem = assert_problem(client.get(path, params={parameter: value}), 400, parameter=parameter)
    assert parameter in problem["detail"]


def test_an_unencoded_plus_is_explained(client: TestClient) -> None:
    """`+04:30` typed into a URL arrives as ` 04:30`: the problem says how to send it."""
    response = client.get("/v1/claims?updated_since=2021-09-01T04:30:00+04:30")
    problem = assert_problem(response, 400, parameter="updated_since")
    assert "%2B" in problem["detail"]
    encoded = client.get("/v1/claims?updated_since=2021-09-01T04:30:00%2B04:30")
    assert encoded.status_code == 200
    assert len(encoded.json()["items"]) == 30  # 00:00Z: the seed's own time, inclusive


def test_a_deleted_cursor_is_bound_to_its_filters(edited: TestClient) -> None:
    page = get_json(edited, "/v1/deleted", limit=1)
    assert page["items"][0]["id"] == REMOVED
    assert page["total"] == 2
    second = get_json(edited, "/v1/deleted", limit=1, cursor=page["next_cursor"])
    assert [item["id"] for item in second["items"]] == ["washington"]
    assert second["next_cursor"] is None
    response = edited.get(
        "/v1/deleted", params={"cursor": page["next_cursor"], "entity_type": "claims"}
    )
    assert_problem(response, 400, parameter="cursor")
    assert_problem(edited.get("/v1/deleted", params={"entity_type": "relations"}), 400)


def test_migration_stamps_the_rows_already_there(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    command.downgrade(alembic_config(url), "0010")
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    upgrade_to_head(url)
    engine.dispose()
    with Session(engine) as session:
        for model in (collection.model for collection in catalog.COLLECTIONS):
            oldest, newest, rows = session.execute(
                select(func.min(model.updated_at), func.max(model.updated_at), func.count())
            ).one()
            assert rows > 0
            assert oldest == newest
            assert started <= oldest <= dt.datetime.now(dt.UTC)
    with TestClient(create_app(engine)) as client:
        claim = get_json(client, f"/v1/claims/{EDITED}")
        assert RFC3339_MICROS.fullmatch(claim["updated_at"])


def test_synthetic_items_are_stamped(make_database: Callable[..., Engine]) -> None:
    engine = make_database(seed=False)
    synthesize(engine, claims=300, seed=5, now=EDITED_AT)
    with TestClient(create_app(engine)) as client:
        for collection in COLLECTIONS:
            page = get_json(client, f"/v1/{collection}", limit=5)
            assert {item["updated_at"] for item in page["items"]} == {
                "2021-09-02T12:30:15.123456Z"
            }, collection
        assert (
            get_json(client, "/v1/claims", updated_since="2021-09-02T12:30:15.123457Z")["total"]
            == 0
        )
        assert (
            get_json(client, "/v1/claims", updated_since="2021-09-02T12:30:15.123456Z")["total"]
            == 300
        )


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="compares SQLite with PostgreSQL (set TEST_DATABASE_URL)",
)
def test_edits_and_deletions_read_the_same_on_both_engines(
    tmp_path_factory: pytest.TempPathFactory, seed_copy: Path
) -> None:
    """After a re-import (times with microseconds, a deletion log), the same bytes from both
    engines, cursor walks by `updated_at` and through the log included."""
    _edit_claim_and_remove_another(seed_copy)
    factories: list[DatabaseFactory] = []
    clients: dict[str, TestClient] = {}
    try:
        for backend in ("sqlite", "postgresql"):
            factory = DatabaseFactory(backend, tmp_path_factory.mktemp(f"sync-{backend}"))
            factories.append(factory)
            engine = factory.create()
            import_paths(engine, [seed_copy], now=EDITED_AT)
            clients[backend] = TestClient(create_app(engine)).__enter__()
        for start in (
            "/v1/claims?limit=4&sort=-updated_at",
            "/v1/claims?limit=4&sort=updated_at,-stated_on&updated_since=2021-09-01T00:00:00Z",
            "/v1/locations?limit=10&sort=-updated_at",
            "/v1/deleted?limit=1",
            "/v1/deleted?limit=1&since=2021-09-02T12:30:15.123456Z&count=exact",
        ):
            path, pages = start, 0
            while True:
                lite, pg = (clients[name].get(path) for name in ("sqlite", "postgresql"))
                assert lite.status_code == pg.status_code == 200, (path, lite.text)
                assert lite.content == pg.content, path
                assert lite.headers.get("last-modified") == pg.headers.get("last-modified")
                pages += 1
                cursor = lite.json()["next_cursor"]
                if cursor is None:
                    break
                path = f"{start}&cursor={cursor}"
            assert pages >= 2, start
        for path in (f"/v1/claims/{EDITED}", f"/v1/claims/{UNCHANGED}", "/v1/claims/facets"):
            lite, pg = (clients[name].get(path) for name in ("sqlite", "postgresql"))
            assert lite.content == pg.content, path
            assert lite.headers.get("last-modified") == pg.headers.get("last-modified"), path
        versions = set()
        for factory in factories:
            for _url, engine in factory._created:
                with Session(engine) as session:
                    versions.add(CHANGES.version(session))
        assert len(versions) == 1, "the data version differs between the engines"
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)
        for factory in factories:
            factory.drop_all()
