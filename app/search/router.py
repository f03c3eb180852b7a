from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, and_, literal_column, select
from sqlalchemy.orm import Session

from app.catalog import BY_ITEM_TYPE, ITEM_TYPES
from app.core.db.deps import DatabaseDep, dialect_of
from app.core.http.responses import FastJSONResponse
from app.core.query import search_language
from app.core.query.fulltext import (
    match_count_rows,
    matches,
    plan_for_the_words,
)
from app.core.query.listing import envelope, paginate
from app.core.query.pagination import Sort, Term, bound_to
from app.core.query.params import (
    COUNT_DESCRIPTION,
    CURSOR_DESCRIPTION,
    LIMIT_DESCRIPTION,
    Q_DESCRIPTION,
    CountMode,
)
from app.core.schemas import Page, problem_responses
from app.models import SearchDocument

router = APIRouter(prefix="/v1/search", tags=["search"])


EntityType = StrEnum("EntityType", ITEM_TYPES)  # type: ignore[misc]
EntityType.__doc__ = "The kind of item a search hit is."


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1,
        max_length=search_language.MAX_QUERY_LENGTH,
        description=Q_DESCRIPTION,
        examples=["Tajikistan helicopter"],
    )
    type: list[EntityType] | None = Field(
        default=None,
        description="Only these kinds of item; repeat for several.",
        examples=[["claim"]],
    )
    limit: int = Field(default=20, ge=1, le=500, description=LIMIT_DESCRIPTION)
    cursor: str | None = Field(default=None, description=CURSOR_DESCRIPTION)
    count: CountMode = Field(default=CountMode.estimated, description=COUNT_DESCRIPTION)


class SearchHit(BaseModel):
    type: EntityType
    id: str
    title: str = Field(description="Name, statement, caption or title of the item.")
    snippet: str = Field(
        description="Up to 14 words of the item's text around its first match, every word the "
        "search looks for wrapped in <mark>…</mark>, … where the text is cut."
    )
    link: str = Field(
        description="Where the item is, in this API.",
        examples=["/v1/claims/na-tajik-helicopter-photo"],
    )


class SearchPage(Page[SearchHit]):
    pass


def search(session: Session, params: SearchParams) -> dict[str, Any]:
    plan_for_the_words(session)
    hits = matches(dialect_of(session), params.q, None, name="hits")
    statement = select(hits.c.entity_type, hits.c.entity_id)
    where: list[ColumnElement[bool]] = []
    if params.type:
        where.append(hits.c.entity_type.in_(params.type))
    sort = Sort(
        text="relevance",
        terms=(
            Term(hits.c.rank, "int", False),
            Term(hits.c.entity_type, "str", False),
            Term(hits.c.entity_id, "str", False),
        ),
    )
    sort = bound_to(sort, "search", params)
    # Counted without ranking (on SQLite, inside the full-text index alone).
    kinds = [str(kind) for kind in params.type] if params.type else None
    counted: Select[tuple[Any]] = select(literal_column("1")).select_from(
        match_count_rows(dialect_of(session), params.q, kinds)
    )
    result = paginate(
        session,
        statement,
        where=where,
        sort=sort,
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
        counted=counted,
    )
    wanted: dict[str, list[str]] = {}
    for row in result.rows:
        wanted.setdefault(row["entity_type"], []).append(row["entity_id"])
    # Titles and texts of the page's hits only, one statement per kind of item; the snippets
    # are made here, in Python, so both engines mark the same words the same way.
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for entity_type, ids in wanted.items():
        collection = BY_ITEM_TYPE[entity_type]
        id_column, title_column = collection.model.id, collection.title
        texts = (
            select(id_column, title_column, SearchDocument.content)
            .join(
                SearchDocument,
                and_(
                    SearchDocument.entity_type == entity_type,
                    SearchDocument.entity_id == id_column,
                ),
            )
            .where(id_column.in_(ids))
        )
        for entity_id, title, content in session.execute(texts):
            found[(entity_type, entity_id)] = (title, content)
    query = search_language.parse(params.q)
    items = []
    for row in result.rows:
        title, content = found.get((row["entity_type"], row["entity_id"]), ("", ""))
        items.append(
            {
                "type": row["entity_type"],
                "id": row["entity_id"],
                "title": title,
                "snippet": search_language.snippet(content, query),
                "link": f"/v1/{BY_ITEM_TYPE[row['entity_type']].name}/{row['entity_id']}",
            }
        )
    return envelope(items, result)


@router.get(
    "",
    summary="Search every collection",
    response_model=SearchPage,
    responses=problem_responses(400),
)
async def search_everything(
    params: Annotated[SearchParams, Query()], db: DatabaseDep
) -> FastJSONResponse:
    """Full-text hits across reports, actors, locations, claims, media and events, best first,
    each with its type, id, a highlighted snippet and a link to the item."""
    return FastJSONResponse(await db.run(search, params))
