"""Settings, read from the environment (and an optional `.env` file)."""

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("data") / "conflict-reports.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH.as_posix()}",
        description="SQLAlchemy URL. SQLite (the default) or postgresql+psycopg://…",
    )
    database_transaction_pooler: bool = Field(
        default=False,
        description="PostgreSQL: DATABASE_URL is a pooler in transaction mode (PgBouncer "
        "`pool_mode = transaction`): no startup parameter the pooler refuses (each request's "
        "statement_timeout is set in its own transaction instead) and no prepared statement "
        "outlives its transaction. Imports and migrations take locks for their whole "
        "transaction and work either way.",
    )
    database_replica_urls: str = Field(
        default="",
        description="PostgreSQL: comma-separated URLs of streaming replicas of DATABASE_URL. "
        "Reads go to them in turn while they are reachable and no more than "
        "DATABASE_REPLICA_MAX_LAG_S behind; otherwise, and for a writer's next reads, to "
        "DATABASE_URL.",
    )
    database_replica_max_lag_s: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How far behind the primary a replica may be and still serve reads: it "
        "must have replayed what the primary had written this many seconds ago.",
    )
    reads_need_key: bool = Field(
        default=False,
        description="Reads (every GET of the data, the reading view included) need an API "
        "key with the scope `read` (or more). By default they are public; writes and the "
        "audit always need a key.",
    )
    rate_limit_reads: str = Field(
        default="6000/minute",
        max_length=100,
        description="Requests a client may read in a window, per API key (or, without one, "
        "per client address): `N/second`, `N/minute`, `N/hour`, `N/day`, or `off`. Over it, "
        "429 with Retry-After. Liveness, readiness and metrics are never limited.",
    )
    rate_limit_writes: str = Field(
        default="60/minute",
        max_length=100,
        description="Writes (POST, PUT, DELETE) a client may make in a window, per API key; "
        "the same notation, or `off`.",
    )
    redis_url: str | None = Field(
        default=None,
        description="`redis://host:port/db`: rate limits are counted in Redis, so every "
        "worker and every host shares one budget per client. Without it, each worker counts "
        "in its own memory.",
    )
    rate_limit_namespace: str = Field(
        default="conflict-reports",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The prefix of the rate-limit counters in Redis (two deployments sharing "
        "one Redis keep apart by it).",
    )
    rate_limit_store_timeout_ms: int = Field(
        default=250,
        ge=1,
        le=60_000,
        description="How long a request waits for the rate-limit store (Redis) to count it; "
        "past it the request passes uncounted (a metric counts how often).",
    )
    cors_allow_origins: str = Field(
        default="",
        max_length=4000,
        description="Comma-separated origins (`https://maps.example.org`) whose pages may "
        "call the API from a browser (CORS), keys and writes included. Empty (the default): "
        "none; `*`: any, for reads only (no credentials).",
    )
    max_bundle_entities: int = Field(
        default=250_000,
        ge=1,
        le=10_000_000,
        description="The most actors, locations, relations, claims, media and events one "
        "bundle sent over HTTP may declare, together; more is a 422 before any is checked.",
    )
    seed_path: Path = Field(default=Path("seed"), description="Where `seed` looks by default.")
    sql_echo: bool = False
    query_time_limit_ms: int = Field(
        default=2000,
        ge=10,
        le=600_000,
        description="Time budget of one request's queries, enforced by the database; over it "
        "the request is answered 503.",
    )
    db_pool_size: int | None = Field(
        default=None,
        ge=1,
        le=200,
        description="Queries one worker runs at once: SQLite reader threads (default 4) or "
        "PostgreSQL connections (default 10).",
    )
    max_queued_requests: int = Field(
        default=256,
        ge=0,
        le=100_000,
        description="Requests one worker holds waiting for the database; beyond, 503 at once.",
    )
    workers: int | None = Field(
        default=None, ge=1, le=256, description="uvicorn worker processes (default: one per core)."
    )
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        default="info", description="Level of the JSON log lines `serve` writes to stderr."
    )
    shutdown_timeout_s: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="On SIGTERM, how long requests in flight may take to finish before the "
        "worker stops them and exits.",
    )

    # `no-cache`: a cache (browser, proxy, CDN) may keep an answer but asks again each time
    # with its ETag, and gets an empty 304 while the data is unchanged. Answers are then
    # never stale after an import (sync clients and reviewers of contradictions read the
    # current state), for the price of one round trip; where a minute of staleness is fine,
    # `public, max-age=60` lets a shared cache answer without asking.
    cache_control: str = Field(
        default="no-cache",
        min_length=1,
        max_length=256,
        pattern=r"^[\x20-\x7e]+$",
        description="Cache-Control of successful reads (errors and the service endpoints get "
        "no-store).",
    )

    @field_validator("rate_limit_reads", "rate_limit_writes")
    @classmethod
    def _rate(cls, value: str) -> str:
        value = value.strip()
        if value.lower() == "off":
            return "off"
        if not re.fullmatch(r"[1-9][0-9]{0,8}\s*/\s*(second|minute|hour|day)", value):
            raise ValueError(
                f"a rate is N/second, N/minute, N/hour or N/day (N from 1), or off; not {value!r}"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _explicit_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    def replica_urls(self) -> list[str]:
        return [
            normalise_database_url(url.strip())
            for url in self.database_replica_urls.split(",")
            if url.strip()
        ]

    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_allow_origins.split(",") if origin.strip()]

    def pool_size(self, dialect: str) -> int:
        if self.db_pool_size is not None:
            return self.db_pool_size
        return 4 if dialect == "sqlite" else 10

    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


def normalise_database_url(url: str) -> str:
    """Give bare `postgresql://` URLs the psycopg 3 driver, as users paste them from elsewhere."""
    for bare in ("postgres://", "postgresql://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
