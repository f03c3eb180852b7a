"""The examples of the OpenAPI document, taken from the API's own answers on the seed.

Each component schema with an example names the request whose answer is its example (and,
for an item of a list, the item's id). `python -m app.examples` (`make examples`) loads
the seed into a throw-away SQLite database, stamped with the fixed time `FIXED_TIME` (so
`updated_at` is reproducible), asks those requests and writes `examples.json`;
a test checks the file still equals what the API answers, on every engine.
"""

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from app.operations.examples import EXAMPLES_FILE


class Source(NamedTuple):
    request: str  # path and query
    item_id: str | None = None  # the item of the answer's `items`, for an item schema


SOURCES: dict[str, list[Source]] = {
    "ClaimOut": [Source("/v1/claims?claimant_id=taliban", "taliban-panjshir-surrounded")],
    "ClaimDetail": [Source("/v1/claims/taliban-panjshir-surrounded")],
    "ClaimFacets": [Source("/v1/claims/facets?claimant_id=taliban&facet_size=3")],
    "ActorOut": [Source("/v1/actors?kind=person", "ahmad-massoud")],
    "ActorDetail": [Source("/v1/actors/ahmad-massoud")],
    "LocationOut": [Source("/v1/locations?kind=valley", "panjshir-valley")],
    "LocationDetail": [Source("/v1/locations/panjshir-valley")],
    "MediaOut": [Source("/v1/media?kind=video", "video-humvees-rolling")],
    "MediaFacets": [Source("/v1/media/facets?facet_size=3")],
    "EventOut": [Source("/v1/events?event_type=Battles", "fuj-ambush")],
    "EventDetail": [Source("/v1/events/fuj-ambush")],
    "EventFacets": [Source("/v1/events/facets?facet_size=3")],
    "ReportSummary": [Source("/v1/reports", "panjshir-last-bastion-2021-08-24")],
    "ReportDetail": [Source("/v1/reports/panjshir-last-bastion-2021-08-24")],
    "SearchHit": [Source("/v1/search?q=Tajikistan%20helicopter", "na-tajik-helicopter-photo")],
    "Health": [Source("/healthz")],
    "Problem": [Source("/v1/claims?limit=1000"), Source("/v1/claims/no-such-claim")],
}


def example_of(source: Source, get: Callable[[str], Any]) -> Any:
    """The example a source stands for; `get(path)` answers the request's JSON."""
    body = get(source.request)
    if source.item_id is None:
        return body
    for item in body["items"]:
        if item["id"] == source.item_id:
            return item
    raise LookupError(f"{source.request} has no item {source.item_id!r}")


def collect(get: Callable[[str], Any]) -> dict[str, list[Any]]:
    return {
        name: [example_of(source, get) for source in sources] for name, sources in SOURCES.items()
    }


def render(examples: dict[str, list[Any]]) -> str:
    return json.dumps(examples, indent=2, ensure_ascii=False) + "\n"


def write(seed_dir: Path, output: Path) -> None:
    """Answer every source on a fresh SQLite database loaded with `seed_dir`."""
    from fastapi.testclient import TestClient

    from app.core.db.engine import build_engine
    from app.core.query.sync import FIXED_TIME
    from app.importer import import_paths
    from app.main import create_app
    from app.migrate import upgrade_to_head

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'examples.db'}"
        upgrade_to_head(url)
        engine = build_engine(url)
        import_paths(engine, [seed_dir], now=FIXED_TIME)
        with TestClient(create_app(engine)) as client:
            examples = collect(lambda path: client.get(path).json())
        engine.dispose()
    output.write_text(render(examples), encoding="utf-8")


if __name__ == "__main__":
    seed = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("seed")
    write(seed, Path(__file__).parent / "operations" / EXAMPLES_FILE)
