"""Shapes every collection uses: the list envelope, spans, facet values, problems."""

import datetime as dt
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, Field

from app.core.query.sync import UPDATED_AT_DESCRIPTION

T = TypeVar("T")

# Every item of every collection: when it last changed (app.core.query.sync).
UpdatedAt = Annotated[
    dt.datetime,
    Field(description=UPDATED_AT_DESCRIPTION, examples=["2021-09-01T00:00:00.000000Z"]),
]


class TotalRelation(StrEnum):
    """What `total` is: exact, a lower bound, or the PostgreSQL planner's estimate."""

    eq = "eq"
    gte = "gte"
    estimate = "estimate"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(description="Matching items in all pages; null with `count=none`.")
    total_relation: TotalRelation | None = Field(
        description="What `total` is: `eq` exact, `gte` a lower bound (counting stopped at "
        "10,000), `estimate` the PostgreSQL planner's estimate; null with `count=none`."
    )


class Span(BaseModel):
    start: int = Field(description="Offset of the first character, in Unicode code points.")
    end: int = Field(description="Offset just past the last character: text[start:end] == quote.")


class FacetValue(BaseModel):
    value: str | None = Field(description="The value to filter by; null for 'none'.")
    label: str = Field(
        description="A readable name: the vocabulary's label, the actor's or place's name."
    )
    count: int


FACETS_DESCRIPTION = (
    "For each facet, the values with their counts, most frequent first. `month` counts only "
    "items dated to the month or the day, newest first."
)


class ProblemParameter(BaseModel):
    in_: str = Field(alias="in", examples=["query"])
    name: str | None = Field(examples=["limit"])
    detail: str = Field(examples=["Input should be less than or equal to 500"])


class DocumentProblem(BaseModel):
    """One problem of a submitted document (a bundle): where it is, and what is wrong."""

    pointer: str | None = Field(
        default=None,
        description="Where in the document (RFC 6901 JSON Pointer).",
        examples=["/claims/3/claimant"],
    )
    line: int | None = Field(default=None, description="The line (YAML, from 1).")
    column: int | None = Field(default=None, description="The column (YAML, from 1).")
    entity: str | None = Field(
        default=None, examples=["claims[3] (id 'taliban-panjshir-surrounded')"]
    )
    field: str | None = Field(default=None, examples=["claimant"])
    detail: str = Field(examples=["unknown actor 'national-resistance-frnt'"])
    suggestions: list[str] | None = Field(
        default=None,
        description="For an unknown id: the closest known ids.",
        examples=[["national-resistance-front"]],
    )


class Problem(BaseModel):
    """An error, as RFC 9457 `application/problem+json`."""

    type: str = Field(default="about:blank")
    title: str = Field(examples=["Bad Request"])
    status: int = Field(examples=[400])
    detail: str = Field(
        examples=["invalid parameters 'limit': limit: Input should be less than or equal to 500"]
    )
    errors: list[ProblemParameter | DocumentProblem] | None = Field(
        default=None,
        description="For bad parameters: each one, and what is wrong with it; for a document "
        "that is not valid (422): every problem found, each with where it is.",
    )
    limit: str | None = Field(
        default=None,
        description="For 503: the limit that was hit: `query_time_limit`, `max_queued_requests`, "
        "`database_unreachable` or `database_busy`.",
        examples=["query_time_limit"],
    )
    offered: list[str] | None = Field(
        default=None,
        description="For 406: the media types the resource is offered in.",
        examples=[["application/json", "text/csv", "application/x-ndjson"]],
    )
    check: str | None = Field(
        default=None,
        description="For a 503 from `/readyz`: what is not ready, `database` or `migrations`.",
        examples=["database"],
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI declarations of the problem documents an operation may answer."""
    text = {
        400: "Bad parameters: each is named in `errors`.",
        401: "Missing or wrong credentials.",
        404: "No such item.",
        406: "The `Accept` header names no format the collection offers; `offered` lists "
        "the media types it does.",
        422: "The submitted document is not valid.",
    }
    return {
        status: {"model": Problem, "description": text.get(status, "Error")} for status in statuses
    }
