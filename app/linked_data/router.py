"""The JSON-LD context of the `application/ld+json` representations, served from the package."""

import json
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from app.core.schemas import problem_responses
from app.linked_data.document import CONTEXT_PATH, MEDIA_TYPE, context_bytes

router = APIRouter(tags=["linked data"])


class NoParams(BaseModel):
    """No query parameters: any given is a 400 naming it, as on every `/v1/` path."""

    model_config = ConfigDict(extra="forbid")


@router.get(
    CONTEXT_PATH,
    summary="The JSON-LD context",
    response_class=Response,
    responses={
        200: {
            "description": "The JSON-LD 1.1 context: schema.org terms mapped explicitly to "
            "`https://schema.org/`, and this API's own terms in the vocabulary "
            "`urn:conflict-reports:vocab:` (prefix `cr`).",
            "content": {
                MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["@context"],
                        "properties": {"@context": {"type": "object"}},
                    },
                    "example": json.loads(context_bytes()),
                }
            },
        },
        **problem_responses(400),
    },
)
async def jsonld_context(_params: Annotated[NoParams, Query()]) -> Response:
    """The context of the claims and reports served as `application/ld+json` (schema.org
    `Claim` and `NewsArticle`). Those documents embed it inline, so a JSON-LD processor never
    fetches it, nor anything else; it is here for reading and for documents of your own."""
    return Response(context_bytes(), media_type=MEDIA_TYPE)
