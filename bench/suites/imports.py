"""The import suite: a corpus built by the app's own synthesizer (indexes and full text
included), timed, and the claim rows' load rate by the bulk path against the raw driver."""

from bench.corpora import claim_load_rates, migrate, synthesize_corpus
from bench.databases import database_url, fresh_database
from bench.reporting import Report, Settings, say


def build_corpus(settings: Settings, engine: str, size: int, report: Report) -> str:
    """A fresh corpus of `size` claims on `engine`; returns its database URL."""
    url = database_url(engine, size, work=settings.work, server_url=settings.postgres_url)
    fresh_database(url)
    migrate(url)
    rows, elapsed = synthesize_corpus(url, size)
    rates = claim_load_rates(engine, url, size)
    entry = {
        "engine": engine,
        "claims": size,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        **rates,
    }
    report.imports.append(entry)
    say(
        f"{engine} {size:,} claims: {rows:,} rows with indexes and search in "
        f"{elapsed:.1f} s; claim rows {rates['api_claim_rows_per_s']:,}/s vs raw "
        f"{rates['raw_claim_rows_per_s']:,}/s"
    )
    return url
