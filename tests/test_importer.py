"""The importer: idempotent, updating in place, and all-or-nothing on bad input."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.importer import ImportFailed, import_paths, table_counts
from app.importer.changes import EntityChanges
from app.models import Base, Claim, ClaimLink, Location
from tests.conftest import SEED_DIR, SEED_FILE
from tests.helpers import replace_in

BUNDLE_NAME = SEED_FILE.name


def _all_keys(engine: Engine) -> dict[str, set[tuple[object, ...]]]:
    """Every table's primary keys: equal before and after means no row and no id changed."""
    keys: dict[str, set[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            assert isinstance(table, Table)
            columns = list(table.primary_key.columns)
            keys[table.name] = {tuple(row) for row in conn.execute(select(*columns))}
    return keys


def test_reimport_changes_no_row_and_no_id(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    before = _all_keys(engine)
    summary = import_paths(engine, [SEED_DIR])
    after = _all_keys(engine)
    # The run is logged (a second audit entry); no row of the data moved.
    assert after.pop("audit_entry") == {(1,), (2,)}
    assert before.pop("audit_entry") == {(1,)}
    assert after == before
    assert summary.totals["claims"] == len(before["claim"]) >= 18
    assert sum(len(rows) for rows in before.values()) > 300
    # The seed report of the second run: everything unchanged.
    assert summary.changes == {
        name: EntityChanges(unchanged=count) for name, count in summary.declared.items()
    }
    assert summary.changes["claims"] == EntityChanges(unchanged=30)


def test_a_first_import_reports_every_entity_inserted(
    make_database: Callable[..., Engine],
) -> None:
    summary = import_paths(make_database(seed=False), [SEED_DIR])
    assert summary.changes == {
        name: EntityChanges(inserted=count) for name, count in summary.declared.items()
    }
    assert summary.changes["actors"] == EntityChanges(inserted=30)
    assert summary.changes["media"] == EntityChanges(inserted=17)


def test_an_edited_bundle_updates_rows_in_place(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()
    bundle = seed_copy / BUNDLE_NAME
    replace_in(
        bundle,
        "statement: The Taliban have surrounded the Panjshir.",
        "statement: The Taliban say they have encircled the Panjshir.",
    )
    # Drop one claim: its links go with it, the others stay.
    text = bundle.read_text(encoding="utf-8")
    start = text.index("  - id: levy-massoud-only-one-who-resists")
    end = text.index("  - id: levy-france-should-help")
    bundle.write_text(text[:start] + text[end:], encoding="utf-8")

    summary = import_paths(engine, [seed_copy])
    with Session(engine) as session:
        edited = session.get(Claim, "taliban-panjshir-surrounded")
        removed = session.get(Claim, "levy-massoud-only-one-who-resists")
        links = session.scalars(
            select(ClaimLink.source_id).where(ClaimLink.target_id == "taliban-panjshir-surrounded")
        ).all()
    assert edited is not None
    assert edited.statement == "The Taliban say they have encircled the Panjshir."
    assert removed is None
    assert summary.changes["claims"] == EntityChanges(updated=1, unchanged=28, removed=1)
    assert summary.changes["actors"] == EntityChanges(unchanged=30)
    assert summary.changes["reports"] == EntityChanges(unchanged=1)
    assert sorted(links) == [
        "massoud-no-fighter-has-dared",
        "na-efforts-rebuffed",
        "taliban-panjshir-surrounded-summary",
        "taliban-sending-hundreds",
    ]


def test_a_location_no_longer_mentioned_is_removed(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database()
    bundle = seed_copy / BUNDLE_NAME
    text = bundle.read_text(encoding="utf-8")
    start = text.index("  - id: washington\n")
    end = text.index("\nrelations:")
    bundle.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    import_paths(engine, [seed_copy])
    with Session(engine) as session:
        assert session.get(Location, "washington") is None
        assert session.get(Location, "united-states-country") is not None


# Each corruption: (what to replace, with what, the entity and field the message must name).
CORRUPTIONS = {
    "unknown actor reference": (
        "    claimant: massoud-aide\n",
        "    claimant: massoud-adie\n",
        "claims[13] (id 'aide-forces-over-6000')",
        "claimant",
        "unknown actor 'massoud-adie'",
    ),
    "quote not in the text": (
        "quote: and said they had surrounded the Panjshir\n",
        "quote: and said they had captured the Panjshir\n",
        "claims[1] (id 'taliban-panjshir-surrounded')",
        "quote",
        "quote not found in the report text",
    ),
    "impossible date": (
        'stated_on: "2021-08-23"\n    stated_on_text: on Monday\n    status: unverified',
        'stated_on: "2021-02-30"\n    stated_on_text: on Monday\n    status: unverified',
        "claims[0] (id 'taliban-retook-three-districts')",
        "stated_on",
        "day 30 does not exist in 2021-02",
    ),
    "latitude 95": (
        "    latitude: 35.35\n",
        "    latitude: 95\n",
        "locations[2] (id 'panjshir-valley')",
        "latitude",
        "less than or equal to 90",
    ),
    "duplicate id": (
        "  - id: massoud-fight-to-the-last\n",
        "  - id: massoud-no-fighter-has-dared\n",
        "claims[7] (id 'massoud-no-fighter-has-dared')",
        "id",
        "duplicate id 'massoud-no-fighter-has-dared': claims[6] already has it",
    ),
    "unknown vocabulary": (
        "    kind: casualties\n",
        "    kind: casualty\n",
        "claims[15] (id 'na-fuj-ambush-50-killed')",
        "kind",
        "Input should be",
    ),
    "restatement disagreeing on status": (
        '    stated_on_text: "(the summary restates the claim made on Monday)"\n'
        "    status: disputed\n",
        '    stated_on_text: "(the summary restates the claim made on Monday)"\n'
        "    status: unverified\n",
        "claims[2] (id 'taliban-panjshir-surrounded-summary')",
        "status",
        "differs from 'disputed' of 'taliban-panjshir-surrounded', which this claim restates",
    ),
    "restating a claim of no report": (
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundreds]\n",
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundred]\n",
        "claims[2] (id 'taliban-panjshir-surrounded-summary')",
        "restates.1",
        "unknown claim 'taliban-sending-hundred'",
    ),
    "restating itself": (
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundreds]\n",
        "    restates: [taliban-panjshir-surrounded-summary, taliban-sending-hundreds]\n",
        "claims[2] (id 'taliban-panjshir-surrounded-summary')",
        "restates.0",
        "a claim cannot restate itself",
    ),
    "restating a claim twice": (
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundreds]\n",
        "    restates: [taliban-panjshir-surrounded, taliban-panjshir-surrounded]\n",
        "claims[2] (id 'taliban-panjshir-surrounded-summary')",
        "restates.1",
        "'taliban-panjshir-surrounded' is listed twice",
    ),
    "restating and contradicting a claim": (
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundreds]\n",
        "    restates: [taliban-panjshir-surrounded, taliban-sending-hundreds]\n"
        "    contradicts: [taliban-sending-hundreds]\n",
        "claims[2] (id 'taliban-panjshir-surrounded-summary')",
        "restates.1",
        "both restates and contradicts 'taliban-sending-hundreds'",
    ),
    "an outlet that is a person": (
        "  outlet: mailonline\n",
        "  outlet: bernard-henri-levy\n",
        "report",
        "outlet",
        "the outlet 'bernard-henri-levy' is a person",
    ),
    "a venue that is a person": (
        "    venue: politico\n",
        "    venue: bernard-henri-levy\n",
        "claims[22] (id 'levy-france-should-help')",
        "venue",
        "the venue 'bernard-henri-levy' is a person",
    ),
    "a venue for the report's own reporting": (
        "    claimant: mailonline\n",
        "    claimant: mailonline\n    venue: reuters\n",
        "claims[25] (id 'report-tajikistan-sponsors-na')",
        "venue",
        "(channel 'reporting') has no venue",
    ),
    "claim without a claimant": (
        "    claimant: mailonline\n",
        "    claimant: null\n",
        "claims[25] (id 'report-tajikistan-sponsors-na')",
        "claimant",
        "Input should be a valid string",
    ),
    "the report's own claim given to another claimant": (
        "    claimant: mailonline\n",
        "    claimant: taliban\n",
        "claims[25] (id 'report-tajikistan-sponsors-na')",
        "claimant",
        "has the report's outlet 'mailonline' as claimant, not 'taliban'",
    ),
    "free-text channel": (
        "    channel: social_media_post\n",
        "    channel: photo posted on Twitter\n",
        "claims[17] (id 'na-tajik-helicopter-photo')",
        "channel",
        "Input should be 'statement', 'interview'",
    ),
    "unknown venue": (
        "    venue: politico\n",
        "    venue: politco\n",
        "claims[22] (id 'levy-france-should-help')",
        "venue",
        "unknown actor 'politco'",
    ),
    "unknown field": (
        '    channel: interview\n    venue: reuters\n    stated_on: "2021-08-22"\n',
        '    chanel: interview\n    venue: reuters\n    stated_on: "2021-08-22"\n',
        "claims[8] (id 'massoud-people-want-to-resist')",
        "chanel",
        "Extra inputs are not permitted",
    ),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupted_bundles_fail_naming_file_entity_and_field(
    corruption: str, engine: Engine, seed_copy: Path
) -> None:
    old, new, entity, field, message = CORRUPTIONS[corruption]
    bundle = seed_copy / BUNDLE_NAME
    replace_in(bundle, old, new)
    with engine.connect() as conn:
        before = table_counts(conn)
    with pytest.raises(ImportFailed) as failure:
        import_paths(engine, [seed_copy])
    matching = [
        issue
        for issue in failure.value.issues
        if issue.entity == entity and issue.field == field and message in issue.message
    ]
    assert matching, [str(issue) for issue in failure.value.issues]
    rendered = str(matching[0])
    assert rendered.startswith(BUNDLE_NAME) or f"/{BUNDLE_NAME}" in rendered
    assert re.search(rf"{re.escape(BUNDLE_NAME)}:\d+: ", rendered), "the line is named"
    with engine.connect() as conn:
        assert table_counts(conn) == before


def test_broken_yaml_fails_with_file_and_line(engine: Engine, seed_copy: Path) -> None:
    bundle = seed_copy / BUNDLE_NAME
    replace_in(bundle, "  - id: ahmad-massoud\n", "  - id: [ahmad-massoud\n")
    with engine.connect() as conn:
        before = table_counts(conn)
    with pytest.raises(ImportFailed) as failure:
        import_paths(engine, [seed_copy])
    (issue,) = failure.value.issues
    assert issue.file.endswith(BUNDLE_NAME)
    assert issue.message.startswith("broken YAML")
    assert issue.line is not None
    assert issue.line > 60
    with engine.connect() as conn:
        assert table_counts(conn) == before


def test_duplicate_yaml_keys_are_refused(engine: Engine, seed_copy: Path) -> None:
    bundle = seed_copy / BUNDLE_NAME
    replace_in(bundle, "    kind: armed_group\n", "    kind: armed_group\n    kind: state\n")
    with pytest.raises(ImportFailed, match="found duplicate key 'kind'"):
        import_paths(engine, [seed_copy])


def test_one_bad_bundle_stops_the_whole_run(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    """The good bundle is not written either: one transaction per run."""
    engine = make_database(seed=False)
    other = seed_copy / "001_other.yaml"
    other.write_text(
        (seed_copy / BUNDLE_NAME)
        .read_text(encoding="utf-8")
        .replace("id: panjshir-last-bastion-2021-08-24", "id: other-report")
        .replace(
            "  - id: taliban-retook-three-districts\n", "  - id: x\n    claimant: nobody\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed):
        import_paths(engine, [seed_copy])
    with engine.connect() as conn:
        assert set(table_counts(conn).values()) == {0}


def test_an_id_cannot_be_declared_by_two_bundles(
    make_database: Callable[..., Engine], seed_copy: Path
) -> None:
    engine = make_database(seed=False)
    text = (seed_copy / BUNDLE_NAME).read_text(encoding="utf-8")
    (seed_copy / "001_copy.yaml").write_text(
        text.replace("id: panjshir-last-bastion-2021-08-24", "id: copy-report"), encoding="utf-8"
    )
    with pytest.raises(ImportFailed) as failure:
        import_paths(engine, [seed_copy])
    messages = [str(issue) for issue in failure.value.issues]
    assert any("actors[0] (id 'taliban')" in m and "declared in" in m for m in messages), messages


def test_cli_seed_reports_problems_and_exit_code(
    engine: Engine, seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    from app.core.config import get_settings
    from app.core.db.engine import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        replace_in(seed_copy / BUNDLE_NAME, "    latitude: 35.35\n", "    latitude: 95\n")
        result = CliRunner().invoke(cli, ["seed", str(seed_copy)])
        assert result.exit_code == 1
        assert "nothing was written" in result.output
        assert "locations[2] (id 'panjshir-valley'): field 'latitude'" in result.output

        result = CliRunner().invoke(cli, ["seed", str(SEED_DIR)])
        assert result.exit_code == 0, result.output
        # inserted, updated, unchanged, removed, in the database
        assert re.search(r"claims\s*│\s*0\s*│\s*0\s*│\s*30\s*│\s*0\s*│\s*30\s", result.output), (
            result.output
        )
    finally:
        get_settings.cache_clear()
        get_engine().dispose()
        get_engine.cache_clear()
