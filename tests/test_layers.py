"""The house's layers: every part of the application is placed in the import-linter contracts
(a new package cannot slip out of them), and the contracts hold."""

import subprocess
import sys
import tomllib
from pathlib import Path

from app.catalog import COLLECTIONS
from tests.conftest import ROOT


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _layered_modules() -> set[str]:
    layers = _contracts()["layers"]["layers"]
    assert isinstance(layers, list)
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


def test_every_part_of_the_application_has_a_layer() -> None:
    parts = {
        f"app.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "app").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert parts == _layered_modules()


def test_the_kit_is_forbidden_everything_else() -> None:
    forbidden = set(_contracts()["kit"]["forbidden_modules"])  # type: ignore[call-overload]
    assert forbidden == _layered_modules() - {"app.core"}


def test_every_collection_is_a_resource_independent_of_the_others() -> None:
    resources = set(_contracts()["resources"]["modules"])  # type: ignore[call-overload]
    assert resources == {f"app.{collection.name}" for collection in COLLECTIONS}


def test_the_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(linter)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
