"""The OpenAPI document as generated clients and validators read it.

FastAPI renders an optional query parameter (`x: list[str] | None = None`) as
`anyOf: [array, null]`, but a query string cannot carry a null: the parameter is there or it
is not. Validators (openapi-core) then refuse valid requests and generated clients type
filters as `list[str] | None | Unset`. The document states each query parameter as its plain
type instead, here, once for every collection; the Pydantic models keep `None` for "not
given", which the services test.

Schema examples are the API's own answers on the seed (`examples.json`, written by
`python -m app.core.examples`), attached to their component schemas here.
"""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from app.core.guard import INT_MAX, INT_MIN

EXAMPLES_FILE = "examples.json"


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`{anyOf: [X, {type: null}], …}` as `{…X, …}`; anything else unchanged."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema
    kept = [branch for branch in branches if branch != {"type": "null"}]
    if len(kept) == len(branches):
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if rest.get("default", ...) is None:
        del rest["default"]
    if len(kept) == 1:
        return {**kept[0], **rest}
    return {"anyOf": kept, **rest}


def plain_parameters(document: dict[str, Any]) -> None:
    """Every parameter as its plain type, never `anyOf [type, null]`; an integer within the
    32 bits the input guard accepts (app.core.guard), said in the document."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    schema = parameter["schema"] = _without_null(parameter["schema"])
                    if schema.get("type") == "integer":
                        schema.setdefault("minimum", INT_MIN)
                        schema.setdefault("maximum", INT_MAX)


@cache
def stored_examples() -> dict[str, list[Any]]:
    """Examples by component schema, as the API answered them on the seed."""
    text = files("app.core").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8")
    examples: dict[str, list[Any]] = json.loads(text)
    return examples


def attach_examples(document: dict[str, Any]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    for name, examples in stored_examples().items():
        if name in schemas:
            schemas[name]["examples"] = examples
