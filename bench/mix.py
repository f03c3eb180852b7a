"""The query mix: values sampled from a corpus (claimants, claims), the request paths of every
query of the mix, a cursor many pages deep, and the files of paths the load tools read."""

import random
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text

QUERIES = (
    "claims_by_claimant",
    "claims_in_date_range",
    "locations_in_bbox",
    "full_text",
    "deep_page",
    "first_page",
    "facets",
    "item_detail",
    "page_of_500",
)


def sample_values(url: str) -> dict[str, list[str]]:
    """The synthetic corpus's claimants (all) and claims (the first 5,000 ids)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            claimants = list(
                conn.execute(
                    text("SELECT id FROM actor WHERE id LIKE :prefix ORDER BY id"),
                    {"prefix": "synth-actor-%"},
                ).scalars()
            )
            claims = list(
                conn.execute(
                    text("SELECT id FROM claim WHERE id LIKE :prefix ORDER BY id LIMIT 5000"),
                    {"prefix": "synth-claim-%"},
                ).scalars()
            )
    finally:
        engine.dispose()
    return {"claimants": claimants, "claims": claims}


def write_paths(work: Path, name: str, paths: list[str]) -> Path:
    """A file of paths, one a line, as the load tools read it."""
    target = work / f"paths-{name}.txt"
    target.write_text("\n".join(paths) + "\n", encoding="utf-8")
    return target


def deep_cursor(base_url: str, pages: int) -> str:
    """`&cursor=…` of the page `pages` pages of 5 in (empty when there are fewer)."""
    return cursors(base_url, "/v1/claims?limit=5&count=none", pages)[-1]


def cursors(base_url: str, path: str, pages: int) -> list[str]:
    """`&cursor=…` of the first `pages` pages of `path` (the first is empty), fewer when the
    items run out first."""
    found = [""]
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for _ in range(pages):
            body = client.get(f"{path}{found[-1]}").json()
            if not body["next_cursor"]:
                break
            found.append(f"&cursor={body['next_cursor']}")
    return found


def claims_by_claimant(claimant: str) -> str:
    return f"/v1/claims?claimant_id={claimant}&limit=50"


WORDS = ("ambushed", "shelled", "surrounded", "captured", "besieged", "reinforced")
COUNTRIES = ("Syria", "Yemen", "Sudan", "Mali", "Ukraine", "Iraq", "Libya", "Myanmar")


def full_text(rng: random.Random) -> str:
    """A search of the mix: a verb and a country, among the claims, 50 a page."""
    return f"/v1/claims?q={quote(rng.choice(WORDS) + ' ' + rng.choice(COUNTRIES))}&limit=50"


def full_text_paths(rng: random.Random, count: int = 500) -> list[str]:
    return [full_text(rng) for _ in range(count)]


def query_paths(
    base_url: str, values: dict[str, list[str]], rng: random.Random, deep_pages: int
) -> dict[str, list[str]]:
    """500 paths for each query of the mix (one for the deep and the first page)."""
    claimants, claims = values["claimants"], values["claims"]
    kinds = ["vow", "casualties", "appeal", "stance", "policy", "territorial_control"]
    paths: dict[str, list[str]] = {name: [] for name in QUERIES}
    for _ in range(500):
        year, month = rng.randrange(2000, 2025), rng.randrange(1, 13)
        last = 28
        lat, lon = rng.uniform(-5, 45), rng.uniform(-5, 95)
        paths["claims_by_claimant"].append(claims_by_claimant(rng.choice(claimants)))
        paths["claims_in_date_range"].append(
            f"/v1/claims?stated_from={year}-{month:02d}-01&stated_to={year}-{month:02d}-{last}&limit=50"
        )
        paths["locations_in_bbox"].append(
            f"/v1/locations?bbox={lon:.2f},{lat:.2f},{lon + 3:.2f},{lat + 3:.2f}&limit=50"
        )
        paths["full_text"].append(full_text(rng))
        paths["facets"].append(f"/v1/claims/facets?claimant_id={rng.choice(claimants)}")
        paths["item_detail"].append(f"/v1/claims/{rng.choice(claims)}")
        paths["page_of_500"].append(f"/v1/claims?kind={rng.choice(kinds)}&limit=500&count=none")
    cursor = deep_cursor(base_url, deep_pages)
    paths["deep_page"] = [f"/v1/claims?limit=5&count=none{cursor}"]
    paths["first_page"] = ["/v1/claims?limit=5&count=none"]
    return paths
