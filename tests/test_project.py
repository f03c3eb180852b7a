"""The project's promises about itself: published schema, compose file, README and CI."""

import re
import shlex
import subprocess
from typing import Any

import pytest
import typer.main
import yaml

from app.cli import cli, render_bundle_schema
from app.core.config import Settings
from tests.conftest import ROOT, SEED_DIR


def test_published_bundle_schema_is_in_sync() -> None:
    published = (SEED_DIR / "schema.json").read_text(encoding="utf-8")
    assert published == render_bundle_schema(), "run `make schema` and commit seed/schema.json"
    assert '"stated_on"' in published


def _cli_commands() -> dict[str, Any]:
    group = typer.main.get_command(cli)
    commands: dict[str, Any] = getattr(group, "commands", {})
    assert {"migrate", "seed", "serve"} <= commands.keys()
    return commands


def _invocations(script: str) -> list[list[str]]:
    """The `conflict-reports …` invocations in a shell command line."""
    found = []
    for part in re.split(r"&&|;|\n", script):
        words = shlex.split(part)
        if words and words[0].endswith("conflict-reports"):
            found.append(words[1:])
    return found


def test_compose_runs_the_cli_commands_ci_exercises() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.split(":")[0] in compose["volumes"] for volume in db["volumes"])
    assert api["depends_on"]["db"]["condition"] == "service_healthy"

    invocations = _invocations(api["command"][-1])
    assert [words[0] for words in invocations] == ["migrate", "seed", "serve"]
    commands = _cli_commands()
    for words in invocations:
        command = commands[words[0]]
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {w for w in words[1:] if w.startswith("--")} <= options, words
    assert invocations[-1][-2:] == ["--port", "8000"]
    assert api["ports"] == ["8000:8000"]

    # The same variable and driver the app reads and CI connects with.
    url = api["environment"]["DATABASE_URL"]
    assert "database_url" in Settings.model_fields
    assert url.startswith("postgresql+psycopg://")
    assert "postgresql+psycopg://" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert url.split("@")[1].startswith("db:5432/")
    # Every other variable it sets is a setting the app reads.
    for name in api["environment"]:
        assert name.lower() in Settings.model_fields, name
    assert int(api["environment"]["WORKERS"]) >= 1
    # The API is healthy when it is ready: database reachable, schema at the newest migration.
    probe = " ".join(api["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in probe
    assert api["healthcheck"]["test"][0] == "CMD"
    # Redis for the rate limits, as CI runs it (`.ci/run` starts one and tests against it).
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert api["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "redis-server" in ci
    assert "export TEST_REDIS_URL=" in ci


def test_docs_configuration_table_lists_every_setting() -> None:
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    section = page.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)`", section, re.M))
    assert {name.upper() for name in Settings.model_fields} <= documented


def test_make_run_uses_the_same_cli_commands() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: install migrate seed serve$", makefile, re.M)
    for command in ("migrate", "seed", "serve --host $(HOST) --port $(PORT)"):
        assert f"$(BIN)/conflict-reports {command}" in makefile


def test_readme_names_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    assert "make test" in readme
    assert "http://127.0.0.1:8000/docs" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    assert "pg_ctlcluster --skip-systemctl-redirect" in ci


def test_no_machine_paths_in_the_project() -> None:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    offenders = [
        name
        for name in listed.stdout.splitlines()
        if name != "tests/test_project.py"
        and (ROOT / name).is_file()
        and re.search(
            r"/work/|/root/|/home/\w+|/tmp/",
            (ROOT / name).read_text(encoding="utf-8", errors="ignore"),
        )
    ]
    assert offenders == []


def test_the_test_client_runs_on_httpx2_which_is_why_it_is_a_dependency() -> None:
    """httpx2 is in the dev dependencies though no module of ours imports it: Starlette's
    TestClient does (plain httpx is its deprecated fallback). When this fails, it may go."""
    import starlette.testclient

    assert vars(starlette.testclient)["httpx"].__name__ == "httpx2"
