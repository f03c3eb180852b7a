"""One error hierarchy, rendered by one handler as RFC 9457 `application/problem+json`."""

import re
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
# What an error echoes of the input: a value's first characters, the first few errors.
MAX_ECHO = 100
MAX_ERRORS = 10


def echo(value: str) -> str:
    """`value` quoted for an error message, cut to its first MAX_ECHO characters."""
    if len(value) <= MAX_ECHO:
        return repr(value)
    return f"{value[:MAX_ECHO]!r}… ({len(value)} characters)"


class AppError(Exception):
    """An error the API reports to its users as a problem document."""

    status: int = 500
    title: str = "Internal Server Error"
    type: str = "about:blank"

    def __init__(
        self,
        detail: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}


class NotFound(AppError):
    status = 404
    title = "Not Found"


class BadRequest(AppError):
    status = 400
    title = "Bad Request"


class BadParameter(BadRequest):
    """A query parameter with a value the API cannot use; names the parameter."""

    def __init__(self, name: str, detail: str, *, where: str = "query") -> None:
        super().__init__(
            f"invalid {where} parameter '{name}': {detail}",
            extra={"errors": [{"in": where, "name": name, "detail": detail}]},
        )


class NotAcceptable(AppError):
    """The `Accept` header names no representation the resource offers."""

    status = 406
    title = "Not Acceptable"


class URITooLong(AppError):
    status = 414
    title = "URI Too Long"


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class PreconditionFailed(AppError):
    """An `If-Match` or `If-None-Match` that the resource's current version fails."""

    status = 412
    title = "Precondition Failed"


class TooManyRequests(AppError):
    status = 429
    title = "Too Many Requests"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class ContentTooLarge(AppError):
    status = 413
    title = "Content Too Large"


class UnsupportedMediaType(AppError):
    status = 415
    title = "Unsupported Media Type"


class UnprocessableContent(AppError):
    """A document sent that is not valid: every problem in `errors`."""

    status = 422
    title = "Unprocessable Content"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"


class Unavailable(AppError):
    """The request could not be answered now; the same request may succeed later."""

    status = 503
    title = "Service Unavailable"

    def __init__(self, detail: str, *, limit: str, retry_after: int) -> None:
        super().__init__(detail, extra={"limit": limit}, headers={"Retry-After": str(retry_after)})


class QueryTimeout(Unavailable):
    """The database stopped a query that passed the request's time budget."""

    def __init__(self, budget_ms: int) -> None:
        super().__init__(
            f"the query passed its time budget of {budget_ms} ms (QUERY_TIME_LIMIT_MS) and was "
            "stopped. Narrow the request: add filters (claimant_id, report_id, a shorter date "
            "range), ask for fewer items (limit), skip or estimate the count (count=none or "
            "count=estimated), or search for rarer words",
            limit="query_time_limit",
            retry_after=5,
        )


class DatabaseBusy(Unavailable):
    """SQLite could not take its read lock in time (a writer held the file)."""

    def __init__(self) -> None:
        super().__init__(
            "the database is busy with a write (an import); retry in a moment",
            limit="database_busy",
            retry_after=2,
        )


class DatabaseUnreachable(Unavailable):
    """The database did not answer: stopped, restarting or out of reach."""

    def __init__(self) -> None:
        super().__init__(
            "the database cannot be reached right now; retry in a moment",
            limit="database_unreachable",
            retry_after=2,
        )


class Overloaded(Unavailable):
    """More requests are waiting for the database than this worker holds."""

    def __init__(self, *, running: int, waiting: int) -> None:
        super().__init__(
            f"the server is busy: {running} requests are running and {waiting} are waiting "
            "for the database (MAX_QUEUED_REQUESTS); retry in a moment",
            limit="max_queued_requests",
            retry_after=1,
        )


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(exc.status, exc.detail, title=exc.title, headers=exc.headers, **exc.extra)


METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    """A path of the OpenAPI document (`/v1/reports/{report_id}`) as a pattern."""
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))


def _allowed_methods(request: Request, listed: str) -> str:
    """Every method the path answers. The router names only the methods of the first route
    whose path matches, and a path may have several routes (a list's GET, and its POST from
    another router): the OpenAPI document has them all. Every GET answers HEAD as well (see
    app.core.http.head), which no route lists."""
    methods = {m.strip() for m in listed.split(",") if m.strip()}
    path = request.scope["path"]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    try:
        document = request.app.openapi() if hasattr(request.app, "openapi") else {}
    except Exception:  # the document failed: the router's own list, not a 500
        document = {}
    paths = document.get("paths", {})
    if path in paths:  # a literal path answers its own methods only (app.core.http.guard)
        methods = {name.upper() for name in paths[path] if name.upper() in METHOD_ORDER}
    for template, operations in paths.items():
        if path not in paths and _template(template).fullmatch(path):
            methods.update(name.upper() for name in operations if name.upper() in METHOD_ORDER)
    if "GET" in methods:
        methods.add("HEAD")
    known = {method: rank for rank, method in enumerate(METHOD_ORDER)}
    return ", ".join(sorted(methods, key=lambda m: (known.get(m, len(known)), m)))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if "Allow" in headers:
        headers["Allow"] = _allowed_methods(request, headers["Allow"])
        detail = f"{detail}: this resource answers {headers['Allow']}"
    return problem(exc.status_code, detail, headers=headers)


def declared_query_parameters(route: Any) -> dict[str, Any]:
    """The query parameters a route declares, by name, with their annotations (the fields
    of its parameter models included): what the input guard checks and a 400 lists."""
    declared: dict[str, Any] = {}
    dependant = getattr(route, "dependant", None)
    stack = [dependant] if dependant is not None else []
    while stack:
        current = stack.pop()
        for param in current.query_params:
            annotation = getattr(param.field_info, "annotation", None)
            model_fields = getattr(annotation, "model_fields", None)
            if model_fields is not None:  # a model without fields declares none
                for name, info in model_fields.items():
                    declared[info.alias or name] = info.annotation
            else:
                declared[param.alias] = annotation
        stack.extend(current.dependencies)
    return declared


def _accepted_query_parameters(request: Request) -> list[str]:
    return sorted(declared_query_parameters(request.scope.get("route")))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    found = exc.errors()
    for error in found[:MAX_ERRORS]:
        location = [str(part) for part in error["loc"]]
        where = location[0] if location else "request"
        # A repeated query parameter fails per value (`kind.1`): name the parameter itself.
        if where in {"query", "path", "header", "cookie"}:
            name = location[1] if len(location) > 1 else None
        else:
            name = ".".join(location[1:]) or None
        if name is not None and len(name) > MAX_ECHO:
            name = name[:MAX_ECHO] + "…"
        detail = error["msg"].removeprefix("Value error, ")
        if where == "query" and isinstance(error.get("input"), str) and error["type"] != "missing":
            detail = f"{echo(error['input'])}: {detail}"
        if error["type"] == "extra_forbidden" and where == "query":
            accepted = _accepted_query_parameters(request)
            detail = "unknown query parameter" + (
                f"; accepted: {', '.join(accepted)}" if accepted else "; this path takes none"
            )
        errors.append({"in": where, "name": name, "detail": detail})
    names = ", ".join(f"'{e['name'] or e['in']}'" for e in errors)
    summary = "; ".join(f"{e['name'] or e['in']}: {e['detail']}" for e in errors)
    if len(found) > MAX_ERRORS:
        summary += f"; and {len(found) - MAX_ERRORS} more errors"
    return problem(400, f"invalid parameters {names}: {summary}", errors=errors)


async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
    return problem(500, "the server failed to answer this request; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
