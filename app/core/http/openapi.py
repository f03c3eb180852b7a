"""The OpenAPI document as generated clients and validators read it.

FastAPI renders an optional query parameter (`x: list[str] | None = None`) as
`anyOf: [array, null]`, but a query string cannot carry a null: the parameter is there or it
is not. Validators (openapi-core) then refuse valid requests and generated clients type
filters as `list[str] | None | Unset`. The document states each query parameter as its plain
type instead, here, once for every collection; the Pydantic models keep `None` for "not
given", which the services test.

Schema examples are the API's own answers on the seed (`examples.json`, written by
`python -m app.examples`), attached to their component schemas here.
"""

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.http.guard import INT_MAX, INT_MIN


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
    32 bits the input guard accepts (app.core.http.guard), said in the document."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    schema = parameter["schema"] = _without_null(parameter["schema"])
                    if schema.get("type") == "integer":
                        schema.setdefault("minimum", INT_MIN)
                        schema.setdefault("maximum", INT_MAX)


def attach_examples(document: dict[str, Any], stored: dict[str, list[Any]]) -> None:
    """Each component schema's examples, from `stored` (examples by schema name)."""
    schemas = document.get("components", {}).get("schemas", {})
    for name, examples in stored.items():
        if name in schemas:
            schemas[name]["examples"] = examples


_VALIDATOR_HEADERS: dict[str, Any] = {
    "ETag": {
        "description": "A strong validator of this representation: a hash of its bytes (the "
        "gzip-encoded variant's ends in `-gzip`). Send it back as `If-None-Match`.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "How caches may keep the answer (the `CACHE_CONTROL` setting).",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the data last changed (item details and report texts).",
        "schema": {"type": "string"},
    },
}

_CONDITIONAL_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "ETags already held (a list, or `*`): when one matches the answer "
        "(weak comparison, either encoding), the answer is an empty 304.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "An HTTP date; without If-None-Match, an answer with a Last-Modified "
        "no later than it is an empty 304.",
        "schema": {"type": "string"},
    },
]

NOT_MODIFIED: dict[str, Any] = {
    "description": "Not Modified: the answer is the one tagged by `If-None-Match` (or not "
    "changed since `If-Modified-Since`); no body. The server still computed it, so this saves "
    "the transfer, not the query.",
    "headers": {
        **_VALIDATOR_HEADERS,
        "Vary": {"description": "As the 200 would say.", "schema": {"type": "string"}},
    },
}


def declare_caching(document: dict[str, Any], *, uncached_paths: frozenset[str]) -> None:
    """Every GET but the service endpoints (`uncached_paths`, answered no-store) declares its
    conditional request headers, its 304 and the validators of its 200 (app.core.http.caching)."""
    for path, methods in document.get("paths", {}).items():
        operation = methods.get("get")
        if operation is None or path in uncached_paths:
            continue
        parameters = operation.setdefault("parameters", [])
        named = {(parameter.get("in"), parameter.get("name")) for parameter in parameters}
        parameters.extend(
            dict(parameter)
            for parameter in _CONDITIONAL_PARAMETERS
            if ("header", parameter["name"]) not in named
        )
        responses = operation.setdefault("responses", {})
        ok = responses.get("200")
        if ok is not None:
            ok["headers"] = {**_VALIDATOR_HEADERS, **ok.get("headers", {})}
        responses.setdefault("304", copy.deepcopy(NOT_MODIFIED))


PROBLEM_EXAMPLES = {
    "500": {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "the server failed to answer this request; it has been logged",
    },
}


KEY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "crk_…",
        "description": "An API key (`conflict-reports keys create`), as "
        "`Authorization: Bearer crk_…`.",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The same key in the `X-API-Key` header.",
    },
}
KEY_RESPONSES = {
    "401": {
        "description": "No API key where one is needed, or a key that is malformed, unknown, "
        "revoked or expired (`WWW-Authenticate: Bearer …`).",
    },
    "403": {"description": "The API key's scope does not cover this operation."},
}


def _declare_read_security(
    schema: dict[str, Any], read_paths: str, read_security: list[dict[str, list[str]]]
) -> None:
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.update(KEY_SCHEMES)
    for path, methods in schema.get("paths", {}).items():
        if not path.startswith(read_paths) or "get" not in methods:
            continue
        operation = methods["get"]
        operation.setdefault("security", read_security)
        for status, response in KEY_RESPONSES.items():
            operation.setdefault("responses", {}).setdefault(status, dict(response))


def openapi_with_problems(
    app: FastAPI,
    *,
    examples: Callable[[], dict[str, list[Any]]],
    uncached_paths: frozenset[str],
    read_paths: str = "/v1/",
    read_security: list[dict[str, list[str]]] | None = None,
) -> Callable[[], dict[str, Any]]:
    """The generated schema, with errors declared as application/problem+json and without
    FastAPI's default 422 (bad parameters are answered 400 here); `examples()` by component
    schema, read when the document is first asked for; `uncached_paths` are never stored by
    caches. The GETs under `read_paths` declare `read_security` (who may read) and the 401 and
    403 of a key refused, and the API key schemes are declared for them."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            servers=app.servers,
            license_info=app.license_info,
        )
        # What is not said otherwise is public (health, the document itself): declared, so
        # linters and clients need not guess.
        schema["security"] = []
        if read_security is not None:
            _declare_read_security(schema, read_paths, read_security)
        plain_parameters(schema)
        attach_examples(schema, examples())
        declare_caching(schema, uncached_paths=uncached_paths)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.get("responses", {})
                # FastAPI's own 422 (bad parameters are answered 400 here); a 422 an operation
                # declares itself (a document sent that is not valid) stays.
                if "HTTPValidationError" in str(responses.get("422", "")):
                    responses.pop("422")
                responses.setdefault(
                    "500",
                    {"description": "The server failed; nothing was changed."},
                )
                responses.setdefault(
                    "503",
                    {
                        "description": "Over the time budget (`limit: query_time_limit`: "
                        "narrow the request), too many requests waiting "
                        "(`limit: max_queued_requests`), the database out of reach "
                        "(`limit: database_unreachable`) or, on SQLite, a write holding the "
                        "database (`limit: database_busy`); `Retry-After` says when to try "
                        "again.",
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds to wait before retrying.",
                                "schema": {"type": "integer"},
                            }
                        },
                    },
                )
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        content: dict[str, Any] = {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                        if status in PROBLEM_EXAMPLES:
                            # The Problem schema's own example is a 400.
                            content["example"] = PROBLEM_EXAMPLES[status]
                        response["content"] = {"application/problem+json": content}
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    return openapi


# --- OpenAPI 3.0 (what OGC API - Features' conformance class "OpenAPI 3.0" asks for) ------

OPENAPI_30 = "3.0.3"


def _schema_30(node: Any) -> Any:
    """A JSON Schema (OpenAPI 3.1) as OpenAPI 3.0's schema object says it: `nullable`
    rather than a `null` type, `enum` rather than `const`, one `example` rather than
    `examples`, boolean exclusive bounds."""
    if isinstance(node, list):
        return [_schema_30(value) for value in node]
    if not isinstance(node, dict):
        return node
    schema = {key: _schema_30(value) for key, value in node.items()}
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list) and {"type": "null"} in branches:
            kept = [branch for branch in branches if branch != {"type": "null"}]
            del schema[combinator]
            if len(kept) == 1:
                # 3.0 ignores a `$ref`'s siblings: a nullable reference is an allOf of one.
                only = kept[0]
                schema = {**({"allOf": [only]} if "$ref" in only else only), **schema}
            else:
                schema[combinator] = kept
            schema["nullable"] = True
    kind = schema.get("type")
    if isinstance(kind, list):
        others = [name for name in kind if name != "null"]
        schema["type"] = others[0] if len(others) == 1 else others
        if "null" in kind:
            schema["nullable"] = True
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if isinstance(schema.get("examples"), list) and "in" not in schema:
        examples = schema.pop("examples")
        if examples:
            schema["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = schema.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            schema[plain] = value
            schema[bound] = True
    for unknown in ("contentMediaType", "contentEncoding", "$schema", "$id"):
        schema.pop(unknown, None)
    return schema


def _references(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _references(value)
    elif isinstance(node, list):
        for value in node:
            found |= _references(value)
    return found


def openapi_30(
    document: dict[str, Any], *, prefix: str, title: str, description: str
) -> dict[str, Any]:
    """The part of `document` under the paths starting with `prefix`, as OpenAPI 3.0: its
    operations, and the component schemas they reach."""
    paths = {path: ops for path, ops in document["paths"].items() if path.startswith(prefix)}
    schemas = document.get("components", {}).get("schemas", {})
    wanted = _references(paths)
    pending = list(wanted)
    while pending:
        for name in _references(schemas.get(pending.pop(), {})) - wanted:
            wanted.add(name)
            pending.append(name)
    parts: dict[str, Any] = {"paths": paths}
    if wanted:
        parts["components"] = {"schemas": {name: schemas[name] for name in sorted(wanted)}}
    converted = _schema_30(copy.deepcopy(parts))
    # Parameters keep `examples` as 3.0 has it (a map) only if it is one; a list becomes one
    # `example`.
    for methods in converted["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                examples = parameter.get("examples")
                if isinstance(examples, list):
                    parameter.pop("examples")
                    if examples:
                        parameter["example"] = examples[0]
    info = {key: value for key, value in document.get("info", {}).items() if key != "license"}
    return {
        "openapi": OPENAPI_30,
        "info": {**info, "title": title, "description": description},
        "servers": document.get("servers", [{"url": "/"}]),
        **converted,
    }
