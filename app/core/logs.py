"""JSON logs, one object a line, each carrying the id of the request it belongs to.

The request id lives in a context variable that the request middleware sets
(`app/core/http/middleware.py`); the SQLite reader threads run their work in a copy of the
request's context and SQLAlchemy's greenlets inherit it, so a line logged anywhere while a
request is answered names that request.
"""

import datetime as dt
import json
import logging
from contextvars import ContextVar
from typing import Any

import orjson

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# The application's own loggers live under this name; `app.access` has a line per request.
ACCESS_LOGGER = "app.access"

# Attributes every LogRecord has: anything else was passed in `extra` and is logged as is.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "color_message", "taskName"}
)


class JSONFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id"?, ...extra, "exception"?}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(entry, default=str).decode()
        except orjson.JSONEncodeError:  # a lone surrogate: the standard library escapes it
            return json.dumps(entry, default=str)


def logging_config(level: str = "info", *, access_log: bool = True) -> dict[str, Any]:
    """`logging.config.dictConfig` settings (uvicorn applies them in every worker): JSON lines
    on stderr for uvicorn's own messages and the application's. uvicorn's access log is
    replaced by the middleware's, which knows the route, the latency and the request id."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JSONFormatter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "app": {"handlers": ["json"], "level": level, "propagate": False},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "WARNING"},
        },
    }
