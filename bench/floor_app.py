"""The framework floor: a minimal FastAPI app answering the same pages from memory.

At start it reads the pages the benchmark will ask for from the real API (BENCH_API_URL) and
then serves them with orjson, touching no database: no API on this stack can be faster.

Run: BENCH_API_URL=… BENCH_PATHS=… uvicorn bench.floor_app:app --port 8102
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
from fastapi import FastAPI, Request, Response

PAGES: dict[str, bytes] = {}


def load_pages() -> None:
    api = os.environ["BENCH_API_URL"]
    with open(os.environ["BENCH_PATHS"], encoding="utf-8") as handle:
        paths = [line.strip() for line in handle if line.strip()]
    with httpx.Client(base_url=api, timeout=60) as client:
        for path in paths:
            claimant = parse_qs(urlsplit(path).query)["claimant_id"][0]
            if claimant not in PAGES:
                PAGES[claimant] = orjson.dumps(client.get(path).json())


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    load_pages()
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/v1/claims")
def claims(request: Request) -> Response:
    return Response(PAGES[request.query_params["claimant_id"]], media_type="application/json")
