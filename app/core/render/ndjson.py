"""NDJSON of a collection's items: one item per line, each exactly as the list's JSON writes
it."""

from collections.abc import Iterable
from typing import Any

import orjson

MEDIA_TYPE = "application/x-ndjson"


def ndjson_rows(items: Iterable[dict[str, Any]]) -> bytes:
    """One JSON item per line, each line ending with `\\n`."""
    return b"".join(orjson.dumps(item, option=orjson.OPT_NON_STR_KEYS) + b"\n" for item in items)
