from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.core.deps import DatabaseDep, dialect_of
from app.core.fulltext import plan_for_the_words, snippets
from app.core.listing import envelope, paginate
from app.core.pagination import Sort, Term
from app.core.params import (
    COUNT_DESCRIPTION,
    CURSOR_DESCRIPTION,
    LIMIT_DESCRIPTION,
    Q_DESCRIPTION,
    CountMode,
)
from app.core.responses import FastJSONResponse
from app.core.schemas import Page, problem_responses
from app.models import Actor, Claim, Event, Location, Media, Report

router = APIRouter(prefix="/v1/search", tags=["search"])


class EntityType(StrEnum):
    """The kind of item a search hit is."""

    report = "report"
    actor = "actor"
    location = "location"
    claim = "claim"
    media = "media"
    event = "event"


COLLECTION = {
    "report": "reports",
    "actor": "actors",
    "location": "locations",
    "claim": "claims",
    "media": "media",
    "event": "events",
}
TITLES: dict[str, tuple[Any, Any]] = {
    "report": (Report.id, Report.title),
    "actor": (Actor.id, Actor.name),
    "location": (Location.id, Location.name),
    "claim": (Claim.id, Claim.statement),
    "media": (Media.id, func.substr(Media.caption, 1, 160)),
    "event": (Event.id, Event.title),
}


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        min_length=1, max_length=500, description=Q_DESCRIPTION, examples=["Tajikistan helicopter"]
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
    snippet: str = Field(description="The matching text, matches wrapped in <mark>…</mark>.")
    link: str = Field(
        description="Where the item is, in this API.",
        examples=["/v1/claims/na-tajik-helicopter-photo"],
    )


class SearchPage(Page[SearchHit]):
    pass


def search(session: Session, params: SearchParams) -> dict[str, Any]:
    plan_for_the_words(session)
    hits = snippets(dialect_of(session), params.q)
    statement = select(hits.c.entity_type, hits.c.entity_id, hits.c.snippet)
    where: list[ColumnElement[bool]] = []
    if params.type:
        where.append(hits.c.entity_type.in_(params.type))
    sort = Sort(
        text="relevance",
        terms=(
            Term(hits.c.rank, "float", False),
            Term(hits.c.entity_type, "str", False),
            Term(hits.c.entity_id, "str", False),
        ),
    )
    result = paginate(
        session,
        statement,
        where=where,
        sort=sort,
        limit=params.limit,
        cursor=params.cursor,
        count=params.count,
    )
    wanted: dict[str, list[str]] = {}
    for row in result.rows:
        wanted.setdefault(row["entity_type"], []).append(row["entity_id"])
    titles: dict[tuple[str, str], str] = {}
    for entity_type, ids in wanted.items():
        id_column, title_column = TITLES[entity_type]
        for entity_id, title in session.execute(
            select(id_column, title_column).where(id_column.in_(ids))
        ):
            titles[(entity_type, entity_id)] = title
    items = [
        {
            "type": row["entity_type"],
            "id": row["entity_id"],
            "title": titles.get((row["entity_type"], row["entity_id"]), ""),
            "snippet": row["snippet"],
            "link": f"/v1/{COLLECTION[row['entity_type']]}/{row['entity_id']}",
        }
        for row in result.rows
    ]
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
