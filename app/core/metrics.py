"""Prometheus metrics (`GET /metrics`), through prometheus_client.

With several uvicorn workers, `conflict-reports serve` points `PROMETHEUS_MULTIPROC_DIR` at a
fresh directory before the workers start: each worker then writes its samples to files there
and `/metrics`, whichever worker answers it, sums them all (prometheus_client's multiprocess
mode). With one worker (and in tests) the samples live in the process.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

# No `_created` series: they double the exposition and nothing here reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "conflict_reports_http_requests",
    "HTTP requests answered, by route template (`unmatched` for no route), method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "conflict_reports_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template and method.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_IN_USE = Gauge(
    "conflict_reports_db_requests_running",
    "Requests at the database now (each holds a SQLite reader thread or a PostgreSQL "
    "connection), by lane: `query` (lists, facets, search) or `lookup` (health, an item by id).",
    ["lane"],
    multiprocess_mode="livesum",
)
DB_WAITING = Gauge(
    "conflict_reports_db_requests_waiting",
    "Requests queued for the database (MAX_QUEUED_REQUESTS bounds them), by lane.",
    ["lane"],
    multiprocess_mode="livesum",
)
DB_SLOTS = Gauge(
    "conflict_reports_db_slots",
    "Requests that may be at the database at once (DB_POOL_SIZE for `query`), by lane.",
    ["lane"],
    multiprocess_mode="livesum",
)
RATE_LIMITED = Counter(
    "conflict_reports_rate_limited",
    "Requests refused with 429 because their client was over a rate limit, by policy.",
    ["policy"],
)
RATE_LIMIT_STORE_ERRORS = Counter(
    "conflict_reports_rate_limit_store_errors",
    "Requests let through unlimited because the rate-limit store did not answer in time.",
    ["store"],
)
QUERY_TIMEOUTS = Counter(
    "conflict_reports_db_query_timeouts",
    "Queries the database stopped at the request's time budget (QUERY_TIME_LIMIT_MS), by lane.",
    ["lane"],
)
for _lane in ("query", "lookup"):  # both series exist, at 0, before the first timeout
    QUERY_TIMEOUTS.labels(_lane)
# Methods outside HTTP's own are counted together: a client cannot grow the label set.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_DIR_VARIABLE))


def render() -> tuple[bytes, str]:
    """The exposition (body, content type): every worker's samples in multiprocess mode."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited() -> None:
    """Drop this worker's live gauges (its requests at the database) from the sums."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class RequestMetrics:
    """Counts a request and observes its latency, the labelled children cached: the hot path
    costs two dictionary lookups and two increments."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[tuple[str, str], Histogram] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        if method not in KNOWN_METHODS:
            method = "other"
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = HTTP_REQUESTS.labels(route, method, str(status))
            self._counters[(route, method, status)] = counter
        counter.inc()
        histogram = self._histograms.get((route, method))
        if histogram is None:
            histogram = HTTP_LATENCY.labels(route, method)
            self._histograms[(route, method)] = histogram
        histogram.observe(seconds)
