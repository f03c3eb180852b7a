"""Every request's raw input, checked once before any route reads it.

Starlette decodes the query string and path leniently (invalid UTF-8 becomes U+FFFD, a NUL
byte passes through to the database, which PostgreSQL refuses with an error) and Pydantic's
lax mode reads `stated_to=0` as 1970-01-01 and takes the last of a repeated single-valued
parameter. This dependency, installed on the whole app, reads the raw bytes and the route's
declared query parameters and refuses, as a 400 naming the parameter:

- a NUL byte or invalid UTF-8 in any query parameter or path segment;
- a single-valued parameter given more than once;
- a date that is not `YYYY-MM-DD` (or, where a range bound takes a period, `YYYY-MM` or
  `YYYY`), a datetime that is not RFC 3339 with its zone;
- an integer that is not plain digits or lies outside the 32-bit range the columns hold;
- a range whose `…_from` is after its `…_to` (a period's first day against the other's last).

It knows nothing about any one collection: a parameter added later is covered by its type.
"""

import datetime as dt
import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.http.errors import BadParameter, URITooLong, declared_query_parameters, echo
from app.core.query.periods import PERIOD_FORMS, PeriodBound
from app.core.query.sync import as_utc

Kind = Literal["date", "period_start", "period_end", "datetime", "int", "other"]

# Longest query string answered; longer is a 414 problem (uvicorn's own limit lies above).
MAX_QUERY_BYTES = 32 * 1024
# The integer columns filters compare with are 32-bit (PostgreSQL `integer`).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_INTEGER = re.compile(r"[+-]?\d{1,20}", re.ASCII)


@dataclass(frozen=True, slots=True)
class QueryField:
    kind: Kind
    many: bool


def _field_of(annotation: Any) -> QueryField:
    many = False
    inner = annotation
    period: PeriodBound | None = None
    while True:
        origin = get_origin(inner)
        if origin is Annotated:
            marks = [mark for mark in inner.__metadata__ if isinstance(mark, PeriodBound)]
            period = marks[0] if marks else period
            inner = get_args(inner)[0]
        elif origin in (Union, types.UnionType):
            args = [arg for arg in get_args(inner) if arg is not type(None)]
            inner = args[0] if len(args) == 1 else Any
        elif origin in (list, set, tuple, frozenset):
            many = True
            items = get_args(inner)
            inner = items[0] if items else Any
        else:
            break
    kind: Kind = "other"
    if inner is dt.date and period is not None:
        kind = "period_start" if period.side == "start" else "period_end"
    elif inner is dt.datetime:
        kind = "datetime"
    elif inner is dt.date:
        kind = "date"
    elif inner is int:
        kind = "int"
    return QueryField(kind, many)


_FIELDS: dict[int, dict[str, QueryField]] = {}


def query_fields(route: Any) -> dict[str, QueryField]:
    """The query parameters a route declares (its parameter models' fields included)."""
    cached = _FIELDS.get(id(route))
    if cached is not None:
        return cached
    fields = {
        name: _field_of(annotation) for name, annotation in declared_query_parameters(route).items()
    }
    _FIELDS[id(route)] = fields
    return fields


def _text(raw: bytes, *, name: str, where: str) -> str:
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadParameter(name, "is not valid UTF-8", where=where) from None
    if "\x00" in value:
        raise BadParameter(name, "contains a NUL byte", where=where)
    return value


def raw_query(query_string: bytes) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs, decoded strictly."""
    pairs: list[tuple[str, str]] = []
    for part in query_string.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name_bytes = unquote_to_bytes(raw_name.replace(b"+", b" "))
        value_bytes = unquote_to_bytes(raw_value.replace(b"+", b" "))
        # Name a parameter whose own name is broken by what can be read of it.
        readable = name_bytes.decode("utf-8", "replace").replace("\x00", "\\0")
        name = _text(name_bytes, name=echo(readable), where="query")
        pairs.append((name, _text(value_bytes, name=name, where="query")))
    return pairs


def _check_path(request: Request) -> None:
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    decoded = unquote_to_bytes(raw_path.partition(b"?")[0])
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return
    for name, value in request.path_params.items():
        if isinstance(value, str) and ("\x00" in value or (text is None and "\ufffd" in value)):
            problem = "contains a NUL byte" if "\x00" in value else "is not valid UTF-8"
            raise BadParameter(name, problem, where="path")
    raise BadParameter("path", "is not valid UTF-8 or contains a NUL byte", where="path")


def _strict(name: str, value: str, kind: Kind) -> Any:
    if kind in ("period_start", "period_end"):
        try:
            return PeriodBound("start" if kind == "period_start" else "end").of(value)
        except ValueError as exc:
            if str(exc) == "not a day of the calendar":
                raise BadParameter(name, f"{echo(value)} is not a day of the calendar") from None
            raise BadParameter(name, f"{echo(value)} is not a date: use {PERIOD_FORMS}") from None
    if kind == "date":
        if _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise BadParameter(name, f"{echo(value)} is not a date: use YYYY-MM-DD (2021-08-24)")
    if kind == "datetime":
        if _DATETIME.fullmatch(value):
            try:
                moment = dt.datetime.fromisoformat(value.replace("z", "Z"))
            except ValueError:
                pass
            else:
                try:
                    return as_utc(moment)
                except ValueError as exc:
                    raise BadParameter(name, f"{echo(value)} {exc}") from None
        # A `+` left unencoded in a query string arrives as a space: say how to send it.
        hint = " (write the offset's `+` as `%2B` in a URL)" if " " in value else ""
        raise BadParameter(
            name,
            f"{echo(value)} is not an RFC 3339 date and time with its zone "
            f"(2021-08-24T09:30:00Z or 2021-08-24T14:00:00+04:30){hint}",
        )
    if kind == "int":
        number = int(value) if _INTEGER.fullmatch(value) else None
        if number is None or not INT_MIN <= number <= INT_MAX:
            raise BadParameter(name, f"{echo(value)} is not an integer from {INT_MIN} to {INT_MAX}")
        return number
    return value


HTTP_METHODS = frozenset({"get", "head", "post", "put", "patch", "delete", "options"})


def _literal_routes(app: Any) -> dict[str, frozenset[str]]:
    """The app's paths without parameters and the methods each answers (HEAD with GET), as
    its OpenAPI document lists them (routers may be nested: the document has them all)."""
    found: dict[str, frozenset[str]] | None = getattr(app.state, "literal_routes", None)
    if found is None:
        found = {}
        for path, operations in app.openapi().get("paths", {}).items():
            if "{" in path:
                continue
            verbs = {name.upper() for name in operations if name in HTTP_METHODS}
            found[path] = frozenset(verbs | ({"HEAD"} if "GET" in verbs else set()))
        app.state.literal_routes = found
    return found


def _check_shadowed(request: Request) -> None:
    """A path the app names literally (`/v1/reports/export`) answers its own methods only:
    another method is a 405, not a route whose parameter happens to match it (a PUT of a
    report with the id `export`, which no GET could ever read back)."""
    route = request.scope.get("route")
    if "{" not in getattr(route, "path", "{"):
        return
    path = request.scope["path"]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    own = _literal_routes(request.app).get(path)
    if own is not None and request.method not in own:
        raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(own))})


async def guard_request(request: Request) -> None:
    """Refuse input the routes would misread (see the module's docstring)."""
    _check_path(request)
    _check_shadowed(request)
    query_string: bytes = request.scope.get("query_string", b"")
    if len(query_string) > MAX_QUERY_BYTES:
        raise URITooLong(
            f"the query string is {len(query_string)} bytes; at most {MAX_QUERY_BYTES} are read"
        )
    fields = query_fields(request.scope.get("route"))
    check_query(fields, raw_query(query_string))


def model_query_fields(model: Any) -> dict[str, QueryField]:
    """The query parameters a parameter model declares (for input that is not a request's:
    the `export` command's options)."""
    return {
        info.alias or name: _field_of(info.annotation) for name, info in model.model_fields.items()
    }


def check_query(fields: dict[str, QueryField], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The given parameters (name, text) checked as the module's docstring says, as the
    model will read them: a list for a parameter that takes several values, else the value."""
    given: dict[str, list[str]] = {}
    for name, value in pairs:
        given.setdefault(name, []).append(value)
    parsed: dict[str, Any] = {}
    values_of: dict[str, Any] = {}
    for name, values in given.items():
        field = fields.get(name)
        if field is None:
            values_of[name] = values[-1]
            continue  # unknown: the parameter model refuses it, listing the accepted ones
        if not field.many and len(values) > 1:
            raise BadParameter(
                name, f"given {len(values)} times; it takes one value (repeat only list filters)"
            )
        for value in values:
            parsed[name] = _strict(name, value, field.kind)
        values_of[name] = values if field.many else values[0]
    for name, low in parsed.items():
        if not name.endswith("_from"):
            continue
        upper = name.removesuffix("_from") + "_to"
        high = parsed.get(upper)
        if isinstance(low, dt.date) and isinstance(high, dt.date) and low > high:
            raise BadParameter(upper, f"{upper} ({high}) is before {name} ({low})")
    return values_of
