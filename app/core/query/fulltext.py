"""Full-text matching over `search_document`: the one module that knows each engine's syntax.

The search language, its tokens and its snippets live in `app.core.query.search_language`; both
engines index the same tokens (`search_document.terms`, written by every importer):

- SQLite: an FTS5 table over `terms` and `entity_type` with a plain tokenizer (no stemming,
  no folding: the tokens are already lowercase ASCII), queried with `MATCH`, the words
  scoped to `terms` and the collection to `entity_type`;
- PostgreSQL: `search_tsv`, a stored tsvector built from `terms` without any text parser
  (migration 0008) with a GIN index, queried with a `tsquery` given as text.

Ranking is one integer computed by the same SQL on both: how often the query's words and
phrases occur in `terms`, per length of the document. `rank` is its negation (lower is
better, so `sort=relevance` is ascending) and equal ranks are ordered by id.

A count does not rank: `match_count_rows` is the matches alone (on SQLite, inside the
full-text index, which indexes each document's `entity_type` beside its `terms`).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, String, Subquery, bindparam, text
from sqlalchemy.orm import Session

from app.core.query import search_language
from app.core.query.search_language import SearchQuery

# score = occurrences * SCORE_SCALE / (term_count + LENGTH_DAMPING), integer division: a
# word found once in a name outranks the same word found once in a long quote.
SCORE_SCALE = 10_000
LENGTH_DAMPING = 10


def plan_for_the_words(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their values.

    asyncpg prepares every statement, and after five runs PostgreSQL may switch to a generic
    plan that ignores the values; for a search that is a bad plan (a word matching 143,000 of
    1M claims: 0.2 s became 0.9 s). Custom plans cost planning time on every run (20% of the
    throughput of a cheap page), so only searches ask for them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _rank(query: SearchQuery, params: dict[str, Any]) -> str:
    """Minus the score, in SQL both engines read the same way (integer arithmetic; 64-bit,
    as SQLite's integers are, so a long document cannot overflow PostgreSQL's int4)."""
    counts: list[str] = []
    for index, pattern in enumerate(search_language.score_patterns(query)):
        params[f"search_p{index}"] = pattern
        counts.append(
            "CAST((length(d.terms) - length(replace(d.terms, "
            f":search_p{index}, ''))) / {len(pattern)} AS BIGINT)"
        )
    if not counts:
        return "0"
    return f"0 - ({' + '.join(counts)}) * {SCORE_SCALE} / (d.term_count + {LENGTH_DAMPING})"


def matches(dialect: str, q: str, entity_type: str | None, *, name: str = "matches") -> Subquery:
    """(entity_type, entity_id, rank) for documents matching `q`, lower rank = better.

    A `q` the language refuses (too long, too many words, no word) is a 400 naming `q`."""
    query = search_language.parse(q)
    params: dict[str, Any] = {}
    type_filter = ""
    if entity_type is not None:
        type_filter = " AND d.entity_type = :match_type"
        params["match_type"] = entity_type
    rank = _rank(query, params)
    select = f"SELECT d.entity_type AS entity_type, d.entity_id AS entity_id, {rank} AS rank"
    if dialect == "sqlite":
        if query.groups or entity_type is not None:
            params["match_query"] = _fts5_scoped(query, entity_type)
            statement = (
                f"{select} FROM search_fts JOIN search_document AS d"
                f" ON d.rowid = search_fts.rowid WHERE search_fts MATCH :match_query{type_filter}"
            )
        else:  # only exclusions, every kind of item: every document without those words
            params["match_query"] = _fts5_scoped(query, None)
            statement = (
                f"{select} FROM search_document AS d WHERE d.rowid NOT IN"
                f" (SELECT rowid FROM search_fts WHERE search_fts MATCH :match_query)"
            )
    else:
        # Quoted lexemes in tsquery text are taken as they are: no parser or dictionary.
        if query.groups:
            params["match_query"] = search_language.tsquery(query)
            condition = "d.search_tsv @@ CAST(:match_query AS tsquery)"
        else:
            params["match_query"] = search_language.tsquery_any(query.excluded)
            condition = "NOT (d.search_tsv @@ CAST(:match_query AS tsquery))"
        statement = f"{select} FROM search_document AS d WHERE {condition}{type_filter}"
    return (
        text(statement)
        .bindparams(**params)
        .columns(entity_type=String, entity_id=String, rank=Integer)
        .subquery(name)
    )


def _fts5_scoped(query: SearchQuery, entity_types: str | Sequence[str] | None) -> str:
    """The FTS5 expression of `query` on the `terms` column, in the documents of
    `entity_types` when given (a query of only exclusions needs them, or is the documents
    that have its words)."""
    kinds = [entity_types] if isinstance(entity_types, str) else entity_types
    scope = (
        None if kinds is None else "entity_type : (" + " OR ".join(f'"{k}"' for k in kinds) + ")"
    )
    if not query.groups:
        excluded = f"terms : ({search_language.fts5_any(query.excluded)})"
        return excluded if scope is None else f"{scope} NOT {excluded}"
    words = f"terms : ({search_language.fts5(query)})"
    return words if scope is None else f"{scope} AND {words}"


def match_count_rows(dialect: str, q: str, entity_types: str | Sequence[str] | None) -> Subquery:
    """One row per document of `entity_types` (all when None) that matches `q`, unranked:
    what a count counts (on SQLite, inside the full-text index alone)."""
    query = search_language.parse(q)
    kinds = [entity_types] if isinstance(entity_types, str) else entity_types
    params: dict[str, Any] = {}
    if dialect == "sqlite":
        if not query.groups and kinds is None:
            return matches(dialect, q, None, name="counted_matches")
        params["match_query"] = _fts5_scoped(query, kinds)
        statement = "SELECT 1 AS one FROM search_fts WHERE search_fts MATCH :match_query"
        return text(statement).bindparams(**params).columns(one=Integer).subquery("counted_matches")
    if query.groups:
        params["match_query"] = search_language.tsquery(query)
        condition = "d.search_tsv @@ CAST(:match_query AS tsquery)"
    else:
        params["match_query"] = search_language.tsquery_any(query.excluded)
        condition = "NOT (d.search_tsv @@ CAST(:match_query AS tsquery))"
    statement = f"SELECT 1 AS one FROM search_document AS d WHERE {condition}"
    if kinds is not None:
        statement += " AND d.entity_type IN :match_types"
        # Typed: the planner's estimate of a count past the threshold renders the statement
        # with its values written in, which needs each value's type.
        kinds_bound = bindparam("match_types", list(kinds), expanding=True, type_=String)
        return (
            text(statement)
            .bindparams(kinds_bound, **params)
            .columns(one=Integer)
            .subquery("counted_matches")
        )
    return text(statement).bindparams(**params).columns(one=Integer).subquery("counted_matches")
