"""Schema fuzzing: schemathesis against the app's own `/openapi.json`, in-process (ASGI).

Every operation, every phase schemathesis offers (examples, coverage, fuzzing, stateful), a
fixed seed and a bounded number of examples, on each engine. Checks: every built-in check
(no 500, status codes, content types, headers and bodies as the document declares them,
schema-violating requests refused, schema-valid ones accepted, …) plus this API's own rule
that every error is an RFC 9457 problem. `FUZZ_MAX_EXAMPLES` raises the bound for a longer
local run.
"""

import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import schemathesis
from schemathesis import Case, Response
from schemathesis.checks import CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events
from schemathesis.hooks import HookContext
from schemathesis.python.asgi import shutdown_lifespans
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.http.auth import Scope as KeyScope
from app.core.http.errors import PROBLEM_MEDIA_TYPE
from app.keys.service import create_key
from app.main import create_app

SEED = 90_210
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
PHASES = ("examples", "coverage", "fuzzing", "stateful")

# What a schema cannot say, so a schema-valid request may still be refused with a 400: a
# cursor this API did not issue (it is opaque), a search of stop words only, a range whose
# end comes before its start, `sort=relevance` without `q` or a field given twice.
_NOT_EXPRESSIBLE = (
    re.compile(r"^not a cursor this API issued"),
    re.compile(r"^has no word to search for"),
    re.compile(r" is before "),
    re.compile(r"^sort=relevance needs a search"),
    re.compile(r"^sort field '[^']*' is given twice"),
    re.compile(r"^unknown sort field 'distance'"),  # needs `near`
    # `bbox` and `near` are numbers in a string: their ranges and order are not in a pattern.
    re.compile(r"is outside -?\d+\.\.\d+$"),
    re.compile(r"is greater than max"),
    re.compile(r"radius .* must be above 0"),
    # Text parameters are any string to the schema; the input guard refuses NUL bytes and
    # bytes that are not UTF-8 in every one of them (app.core.http.guard).
    re.compile(r"contains a NUL byte"),
    # OGC API - Features: a CQL2 filter and a `datetime` are text to the schema; what parses
    # and what a queryable takes is beyond it (app.ogc).
    re.compile(r"^is not CQL2 (text|JSON)"),
    re.compile(r"is not a queryable of"),
    re.compile(r"is not supported; comparisons"),
    re.compile(r"is not a (condition|value); comparisons"),
    re.compile(r" is compared with "),
    re.compile(r"^nests more than \d+ levels"),
    re.compile(r"a queryable on one side and a value on the other"),
    re.compile(r"is not a date, a time or an interval"),
    re.compile(r"is not an RFC 3339 time with its zone"),
    re.compile(r"^an interval (has one|needs at least)"),
    re.compile(r"^the interval ends"),
    re.compile(r"^an instant is a date or a time"),
    re.compile(r"^is given without a filter"),
    # A range bound's pattern allows 29 February in every year (leap years are beyond it),
    # and a filter's DATE('…') is any text.
    re.compile(r"is not a day of the calendar"),
    # A draft's article: blank text, or a date of the right form that is no day (2021-02-30).
    re.compile(r"^is empty$"),
    re.compile(r"^'[0-9-]+' is not a day: use YYYY-MM-DD$"),
    re.compile(r"is not valid UTF-8"),
)


@schemathesis.check
def errors_are_problems(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every 4xx/5xx answer is `application/problem+json` with RFC 9457's members."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if media_type != PROBLEM_MEDIA_TYPE:
        raise AssertionError(f"{response.status_code} answered as {media_type!r}, not a problem")
    body = json.loads(response.content)
    missing = {"type", "title", "status", "detail"} - set(body)
    if missing or body["status"] != response.status_code:
        raise AssertionError(f"not a problem document: {body!r}")
    return True


def _problem(response: Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _sent(response: Response) -> tuple[list[tuple[str, str]], str]:
    """The query pairs and the path of the request as it went out (after serialization)."""
    url = urlsplit(str(response.request.url))
    return parse_qsl(url.query, keep_blank_values=True), unquote(url.path)


# A bundle's consistency is beyond a schema: its quotes are in its text, its references
# resolve, its YAML parses. Its schema says "a YAML document" or "an object", so a document
# the importer refuses (422, with every problem named) is not a schema-valid one refused.
WRITES = {("POST", "/v1/reports"), ("PUT", "/v1/reports/{report_id}")}


def _inexpressible(failure: Failure, response: Response, case: Case[Any]) -> bool:
    if "positive_data_acceptance" not in failure.checks:
        return False
    if response.status_code == 422 and (case.method.upper(), case.path) in WRITES:
        return True
    if response.status_code != 400:
        return False
    errors = _problem(response).get("errors", [])
    return bool(errors) and all(
        any(pattern.search(str(error.get("detail", ""))) for pattern in _NOT_EXPRESSIBLE)
        for error in errors
    )


@dataclass
class FuzzRun:
    cases: int = 0
    scenarios: Counter[tuple[str, str]] = field(default_factory=Counter)
    excluded: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)
    raised: Counter[str] = field(default_factory=Counter)


def _as_served(app: ASGIApp, run: FuzzRun) -> ASGIApp:
    """The app as uvicorn serves it: an exception raised after the 500 problem went out is
    logged (here: counted), not thrown at the client. Without this, schemathesis's in-process
    transport would see the exception instead of the 500 its checks judge."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, sending)
        except Exception as exc:
            if not started:
                raise
            run.raised[type(exc).__name__] += 1

    return served


def _fuzz(engine: Engine) -> FuzzRun:
    # An admin key: every operation is reached, the writes and the audit log included.
    _, key = create_key(engine, name="fuzzer", scope=KeyScope.admin)
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES},
            "phases": {phase: {"enabled": True} for phase in PHASES},
            "checks": {"enabled": True},
            "workers": 1,
            "headers": {"Authorization": f"Bearer {key}"},
        }
    )
    run = FuzzRun()
    app = _as_served(create_app(engine), run)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)

    @schema.hook
    def filter_failure(
        _context: HookContext, failure: Failure, case: Case[Any], response: Response
    ) -> bool:
        if _inexpressible(failure, response, case):
            run.excluded["not expressible in the schema"] += 1
            return False
        return True

    try:
        for event in schemathesis.engine.from_schema(schema).execute():
            if isinstance(event, events.PhaseFinished):
                run.phases[event.phase.name.value] = event.status.value
            elif isinstance(event, events.ScenarioFinished):
                run.scenarios[(event.phase.value, event.status.value)] += 1
                run.cases += len(event.recorder.cases)
                for case_id, checks in event.recorder.checks.items():
                    for check in checks:
                        if check.status == Status.FAILURE and check.failure_info is not None:
                            case = event.recorder.cases[case_id].value
                            run.failures.append(
                                f"{check.failure_info.failure.title} ({check.name}): "
                                f"{case.as_curl_command()}"
                            )
            elif isinstance(event, events.NonFatalError):
                run.errors.append(f"{event.label}: {event.value!r}"[:500])
            elif isinstance(event, events.FatalError):
                run.errors.append(repr(event.exception)[:500])
    finally:
        shutdown_lifespans()
    return run


def test_schemathesis_finds_no_failure(make_database: Callable[..., Engine], backend: str) -> None:
    # A database of its own: the fuzzer writes (and deletes) reports.
    run = _fuzz(make_database())
    print(  # noqa: T201 - the figures the issue asks for, shown with -s
        f"\nschemathesis on {backend}: {run.cases} requests, phases {run.phases}, "
        f"scenarios {dict(run.scenarios)}, excluded {dict(run.excluded)}, "
        f"exceptions behind 500s {dict(run.raised)}, "
        f"{len(run.failures)} failures"
    )
    assert not run.errors, run.errors
    for phase in PHASES:
        assert run.phases.get(phase) in {"success", "failure"}, run.phases
    # Every operation of the document was exercised, in every phase.
    assert run.cases > 500
    assert not run.failures, "\n".join(sorted(set(run.failures)))
