"""Full-text matching over `search_document`, one implementation per engine.

SQLite: FTS5 with the porter stemmer, ranked by bm25. PostgreSQL: `websearch_to_tsquery` on
the English configuration against the stored `search_tsv` column (GIN-indexed), ranked by
ts_rank on that stored vector. Both expose `rank`
where lower is better, so `sort=relevance` is ascending everywhere.
"""

import re
from typing import Any

from sqlalchemy import Float, String, Subquery, text
from sqlalchemy.orm import Session

from app.core.errors import BadParameter

_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')

SNIPPET_START = "<mark>"
SNIPPET_END = "</mark>"


def fts5_query(q: str) -> str:
    """Users' words as an FTS5 query: every word must match; "quoted phrases" as phrases.

    Everything is quoted, so FTS5's operators and column filters cannot be injected."""
    parts: list[str] = []
    for phrase in _PHRASE.findall(q):
        words = _WORD.findall(phrase)
        if words:
            parts.append('"' + " ".join(words) + '"')
    rest = _PHRASE.sub(" ", q)
    parts.extend(f'"{word}"' for word in _WORD.findall(rest))
    if not parts:
        raise BadParameter("q", "give at least one word to search for")
    return " ".join(parts)


def plan_for_the_words(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their values.

    asyncpg prepares every statement, and after five runs PostgreSQL may switch to a generic
    plan that ignores the values; for a search that is a bad plan (a word matching 143,000 of
    1M claims: 0.2 s became 0.9 s). Custom plans cost planning time on every run (20% of the
    throughput of a cheap page), so only searches ask for them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def matches(dialect: str, q: str, entity_type: str | None, *, name: str = "matches") -> Subquery:
    """(entity_type, entity_id, rank) for documents matching `q`, lower rank = better."""
    params: dict[str, Any] = {}
    type_filter = ""
    if entity_type is not None:
        type_filter = " AND d.entity_type = :match_type"
        params["match_type"] = entity_type
    if dialect == "sqlite":
        params["match_query"] = fts5_query(q)
        statement = text(
            "SELECT d.entity_type AS entity_type, d.entity_id AS entity_id,"
            " bm25(search_fts) AS rank"
            " FROM search_fts JOIN search_document AS d ON d.rowid = search_fts.rowid"
            f" WHERE search_fts MATCH :match_query{type_filter}"
        )
    else:
        if not _WORD.search(q):
            raise BadParameter("q", "give at least one word to search for")
        params["match_query"] = q
        statement = text(
            "SELECT d.entity_type AS entity_type, d.entity_id AS entity_id,"
            # float8: ts_rank's real would not survive the round trip through a cursor.
            " -CAST(ts_rank(d.search_tsv,"
            " websearch_to_tsquery('english', :match_query)) AS DOUBLE PRECISION) AS rank"
            " FROM search_document AS d"
            " WHERE d.search_tsv"
            f" @@ websearch_to_tsquery('english', :match_query){type_filter}"
        )
    return (
        statement.bindparams(**params)
        .columns(entity_type=String, entity_id=String, rank=Float)
        .subquery(name)
    )


def snippets(dialect: str, q: str, *, limit_words: int = 14) -> Subquery:
    """Every match with a highlighted snippet, for cross-collection search."""
    if dialect == "sqlite":
        statement = text(
            "SELECT d.entity_type AS entity_type, d.entity_id AS entity_id,"
            " bm25(search_fts) AS rank,"
            f" snippet(search_fts, 0, '{SNIPPET_START}', '{SNIPPET_END}', '…', {limit_words})"
            " AS snippet"
            " FROM search_fts JOIN search_document AS d ON d.rowid = search_fts.rowid"
            " WHERE search_fts MATCH :match_query"
        ).bindparams(match_query=fts5_query(q))
    else:
        if not _WORD.search(q):
            raise BadParameter("q", "give at least one word to search for")
        statement = text(
            "SELECT d.entity_type AS entity_type, d.entity_id AS entity_id,"
            " -CAST(ts_rank(d.search_tsv, query) AS DOUBLE PRECISION)"
            " AS rank,"
            " ts_headline('english', d.content, query,"
            f" 'StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords={limit_words + 6},"
            " MinWords=5, FragmentDelimiter=…') AS snippet"
            " FROM search_document AS d, websearch_to_tsquery('english', :match_query) AS query"
            " WHERE d.search_tsv @@ query"
        ).bindparams(match_query=q)
    return statement.columns(
        entity_type=String, entity_id=String, rank=Float, snippet=String
    ).subquery("hits")
