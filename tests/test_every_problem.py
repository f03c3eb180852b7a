"""Every problem of a bundle in one answer (issue 17, part 2): schema, spans, references,
cross-report ownership and restatement rules together, each with where it is (a JSON Pointer,
and line and column for YAML; file and line on the command line) and, for an unknown id, the
closest known ones. Nothing is written while any stands."""

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.config import Settings
from app.core.http.auth import Scope
from app.keys.service import create_key
from app.main import create_app
from tests.helpers import CLI, assert_problem
from tests.test_ingest import _rows
from tests.test_writes import SECOND_TEXT, second_bundle


def broken_bundle() -> dict[str, Any]:
    """One problem of each kind, in a report that refers to the seed's."""
    bundle = second_bundle()
    claims = bundle["claims"]
    claims[0]["claimant"] = "ali-exampel"  # reference, to a bundle actor: suggestion
    claims.append(  # schema: a kind that does not exist (and a claimant that is unknown)
        {
            "id": "denial-rumour",
            "claimant": "ali-example",
            "quote": "our supply roads are free",
            "statement": "Supply roads are free.",
            "kind": "rumour",
            "channel": "interview",
        }
    )
    claims.append(  # span: words the text does not have
        {
            "id": "denial-missing-quote",
            "claimant": "northern-aliance",  # reference, to the database: suggestion
            "quote": "the valley has never fallen",
            "statement": "The valley never fell.",
            "kind": "territorial_control",
            "channel": "statement",
            "contradicts": ["taliban-panjshir-surroundd"],  # reference to a seed claim
        }
    )
    claims.append(  # ownership: the id of one of the seed report's claims
        {
            "id": "taliban-panjshir-surrounded",
            "claimant": "ali-example",
            "quote": "He said the resistance held every district",
            "statement": "The resistance holds every district.",
            "kind": "territorial_control",
            "channel": "interview",
            "status": "disputed",
            # restatement: it restates a claim that contradicts it
            "restates": ["denial-valley-open"],
        }
    )
    return bundle


EXPECTED = {
    # pointer: (a part of the detail, suggestions)
    "/claims/0/claimant": ("unknown actor 'ali-exampel'", ["ali-example"]),
    "/claims/1/kind": ("Input should be", None),
    "/claims/2/quote": ("quote not found in the report text", None),
    "/claims/2/claimant": ("unknown actor 'northern-aliance'", ["northern-alliance"]),
    "/claims/2/contradicts/0": (
        "unknown claim 'taliban-panjshir-surroundd'",
        ["taliban-panjshir-surrounded", "taliban-panjshir-surrounded-summary"],
    ),
    "/claims/3/id": ("already belongs to report 'panjshir-last-bastion-2021-08-24'", None),
    "/claims/3/restates/0": (
        "'taliban-panjshir-surrounded' both restates and contradicts 'denial-valley-open'",
        None,
    ),
}


def _check(errors: list[dict[str, Any]], *, with_lines: bool) -> None:
    found = {error["pointer"]: error for error in errors}
    assert set(found) == set(EXPECTED), errors
    for pointer, (words, suggestions) in EXPECTED.items():
        assert words in found[pointer]["detail"], found[pointer]
        assert found[pointer].get("suggestions") == suggestions, found[pointer]
        if with_lines:
            assert found[pointer]["line"] > 1
            assert found[pointer]["column"] >= 1
        else:
            assert "line" not in found[pointer]


def test_every_problem_in_one_answer_and_no_row_moves(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    _, key = create_key(engine, name="writer", scope=Scope.write)
    before = _rows(engine)
    auth = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(engine, settings=Settings())) as client:
        as_yaml = client.post(
            "/v1/reports",
            content=yaml.safe_dump(broken_bundle(), sort_keys=False).encode(),
            headers={**auth, "Content-Type": "application/yaml"},
        )
        problem = assert_problem(as_yaml, 422)
        assert problem["detail"] == "the bundle has 7 problems; nothing was written"
        _check(problem["errors"], with_lines=True)
        claim_kind = next(e for e in problem["errors"] if e["pointer"] == "/claims/1/kind")
        # The line and column of `kind: rumour` in the document sent.
        sent = yaml.safe_dump(broken_bundle(), sort_keys=False).splitlines()
        assert sent[claim_kind["line"] - 1][claim_kind["column"] - 1 :] == "rumour"

        as_json = client.post(
            "/v1/reports",
            content=json.dumps(broken_bundle()).encode(),
            headers={**auth, "Content-Type": "application/json"},
        )
        _check(assert_problem(as_json, 422)["errors"], with_lines=False)
    assert _rows(engine) == before


def _seed(engine: Engine, path: Path) -> subprocess.CompletedProcess[str]:
    """`conflict-reports seed PATH` as a user runs it, on `engine`'s database."""
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.run(
        [CLI, "seed", str(path)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_prints_every_problem_literally(
    make_database: Callable[..., Engine], tmp_path: Path
) -> None:
    engine = make_database()
    bundle = broken_bundle()
    bundle["report"]["title"] = "Denial :100: [red]not markup[/red]"
    bundle["claims"][1]["statement"] = ":fire: stays as typed"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(bundle, sort_keys=False), encoding="utf-8")
    before = _rows(engine)
    result = _seed(engine, path)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "import failed, nothing was written (7 problems):" in output
    assert "broken.yaml:" in output
    assert "(did you mean 'ali-example'?)" in output
    assert "(did you mean 'northern-alliance'?)" in output
    assert "💯" not in output
    assert _rows(engine) == before

    one = second_bundle()
    one["claims"][0]["quote"] = "words :100: not in the text"
    path.write_text(yaml.safe_dump(one, sort_keys=False), encoding="utf-8")
    answer = _seed(engine, path)
    single = answer.stdout + answer.stderr
    assert "(1 problem):" in single
    assert ":100:" in single
    assert "💯" not in single
    assert SECOND_TEXT[:20] not in single


@pytest.mark.parametrize(
    ("body", "media_type", "words"),
    [
        (b"? [a]\n: 1\n", "application/yaml", "unreadable YAML"),
        (
            b'{"report": {"id": "x"}, "claims": [{"quantities": [{"value": Infinity}]}]}',
            "application/json",
            "finite number",
        ),
    ],
)
def test_odd_documents_are_422_not_500(
    make_database: Callable[..., Engine], body: bytes, media_type: str, words: str
) -> None:
    engine = make_database()
    _, key = create_key(engine, name="writer", scope=Scope.write)
    with TestClient(create_app(engine, settings=Settings())) as client:
        answer = client.post(
            "/v1/reports",
            content=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": media_type},
        )
    problem = assert_problem(answer, 422)
    assert any(words in error["detail"] for error in problem["errors"]), problem


def test_counts_beyond_a_database_integer_are_422(make_database: Callable[..., Engine]) -> None:
    engine = make_database()
    _, key = create_key(engine, name="writer", scope=Scope.write)
    bundle = second_bundle()
    bundle["events"] = [
        {
            "id": "denial-event",
            "title": "An event",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "date": "2021-08-24",
            "fatalities": {"low": 99999999999999999999},
        }
    ]
    with TestClient(create_app(engine, settings=Settings())) as client:
        answer = client.post(
            "/v1/reports",
            content=json.dumps(bundle).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
    problem = assert_problem(answer, 422)
    assert [e["pointer"] for e in problem["errors"]] == ["/events/0/fatalities/low"]
