"""The OpenAPI document's examples as stored in the package: the API's own answers on the
seed, written by `make examples` (`app.examples`)."""

import json
from functools import cache
from importlib.resources import files
from typing import Any

EXAMPLES_FILE = "examples.json"


@cache
def stored_examples() -> dict[str, list[Any]]:
    """Examples by component schema, as the API answered them on the seed."""
    text = files("app.operations").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8")
    examples: dict[str, list[Any]] = json.loads(text)
    return examples
