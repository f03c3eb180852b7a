"""`POST /v1/drafts`: an article in, its draft bundle out (app.drafting.draft); nothing is
written to the database."""

from functools import partial
from typing import Any
from urllib.parse import parse_qs

import anyio
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.db.deps import DatabaseDep
from app.core.http.errors import BadRequest
from app.core.http.negotiation import parse_accept
from app.core.render.html import templates_of
from app.core.schemas import problem_responses
from app.drafting.draft import (
    MAX_ARTICLE_CHARS,
    MAX_OUTLET,
    MAX_TITLE,
    Draft,
    DraftRefused,
    Known,
    known,
    make_draft,
    read_article,
    read_names,
    to_yaml,
)

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])

YAML = "application/yaml"


class DraftRequest(BaseModel):
    """An article to draft a bundle of."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_ARTICLE_CHARS,
        description=f"The article's text, verbatim (at most {MAX_ARTICLE_CHARS:,} characters).",
    )
    published: str = Field(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="The publication day, `YYYY-MM-DD`: relative dates ('on Monday') resolve "
        "to it.",
        examples=["2021-08-24"],
    )
    outlet: str | None = Field(
        default=None,
        max_length=MAX_OUTLET,
        description="The outlet that published it.",
        examples=["MailOnline"],
    )
    title: str | None = Field(
        default=None, max_length=MAX_TITLE, description="Its title (default: its first line)."
    )


def _answer(draft: Draft) -> dict[str, Any]:
    return {
        "bundle": draft.bundle,
        "yaml": to_yaml(draft),
        "proposals": [
            {
                "start": proposal.start,
                "end": proposal.end,
                "what": proposal.what,
                "confidence": round(proposal.confidence, 2),
                "rule": proposal.rule,
                "check": proposal.marked,
            }
            for proposal in draft.proposals
        ],
        "checks": draft.marks,
    }


def _wants_yaml(request: Request) -> bool:
    ranges = parse_accept(request.headers.get("accept", ""))
    yaml_q = max((r.q for r in ranges if (r.type, r.subtype) == ("application", "yaml")), default=0)
    json_q = max((r.q for r in ranges if r.subtype in ("json", "*")), default=0)
    return yaml_q > 0 and yaml_q >= json_q


@router.post(
    "",
    summary="Draft a bundle from an article",
    responses={
        200: {
            "description": "The draft: `bundle` (the seed format), `yaml` (the same, with "
            "`# check` beside what a person must decide), `proposals` (every quotation and "
            "speech found, with its span, confidence, rule and what to check) and `checks` "
            "(per claim). With `Accept: application/yaml`, the YAML alone.",
            "content": {"application/json": {}, YAML: {"schema": {"type": "string"}}},
        },
        **problem_responses(400),
    },
)
async def draft_article(body: DraftRequest, request: Request, db: DatabaseDep) -> Response:
    """Who said what in an article, with exact spans, for a person to check, correct and
    load (`POST /v1/reports`): claims from its direct and indirect speech, claimants matched
    to the actors the database knows, channels, venues and stated dates. Nothing is
    written."""
    try:
        text, day = read_article(body.text.encode("utf-8", "surrogatepass"), body.published)
        read_names(body.outlet, body.title)
    except DraftRefused as exc:
        raise BadRequest(
            f"{exc.field}: {exc.detail}",
            extra={"errors": [{"in": "body", "name": exc.field, "detail": exc.detail}]},
        ) from None
    found: Known = await db.run(known)
    made = await anyio.to_thread.run_sync(
        partial(
            make_draft,
            text,
            published=day,
            actors=found.actors,
            places=found.places,
            outlet=body.outlet,
            title=body.title,
        )
    )
    if _wants_yaml(request):
        return Response(to_yaml(made), media_type=YAML, headers={"Vary": "Accept"})
    return Response(
        orjson.dumps(_answer(made)), media_type="application/json", headers={"Vary": "Accept"}
    )


# --- The page for people ------------------------------------------------------------------

page_router = APIRouter(include_in_schema=False)
templates = templates_of("app.drafting")
UNSURE = 0.8
FORM_FIELDS = ("text", "published", "outlet", "title")


# The reading view's highlights: a claim's, a place's (its relations' colour), an unsure one's.
_HIGHLIGHT = {"claim": "hl-claim", "media": "hl-claim", "place": "hl-relation"}


def _segments(text: str, draft: Draft) -> list[dict[str, str]]:
    """The text cut at every proposal, each marked as a claim, a place or an unsure one; a
    place inside a claim is shown as the claim."""
    segments: list[dict[str, str]] = []
    at = 0
    for proposal in draft.proposals:
        if proposal.start < at:
            continue  # overlapping another: the first one is shown
        segments.append({"text": text[at : proposal.start], "kind": "", "title": ""})
        unsure = proposal.confidence < UNSURE or any("left out" in m for m in proposal.marked)
        title = proposal.rule + (
            f" — check: {', '.join(proposal.marked)}" if proposal.marked else ""
        )
        segments.append(
            {
                "text": text[proposal.start : proposal.end],
                "kind": "hl-media" if unsure else _HIGHLIGHT.get(proposal.what, "hl-claim"),
                "title": title,
            }
        )
        at = proposal.end
    segments.append({"text": text[at:], "kind": "", "title": ""})
    return segments


def _page(context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    defaults = {
        "problem": "",
        "published": "",
        "outlet": "",
        "title": "",
        "text": "",
        "segments": [],
    }
    body = templates.get_template("drafts.html").render(**{**defaults, **context})
    return HTMLResponse(body, status_code=status_code)


@page_router.get("/drafts", response_class=HTMLResponse)
async def drafts_form() -> HTMLResponse:
    """A form: an article in, its draft highlighted beneath (no JavaScript)."""
    return _page({})


@page_router.post("/drafts", response_class=HTMLResponse)
async def drafts_page(request: Request, db: DatabaseDep) -> HTMLResponse:
    raw = await request.body()
    if len(raw) > 8 * MAX_ARTICLE_CHARS:
        return _page({"problem": f"the article is over {MAX_ARTICLE_CHARS:,} characters"}, 400)
    try:
        pairs = parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return _page({"problem": "the form was not sent as UTF-8"}, 400)
    given = {name: (pairs.get(name) or [""])[-1] for name in FORM_FIELDS}
    try:
        text, day = read_article(given["text"].encode("utf-8", "surrogatepass"), given["published"])
        read_names(given["outlet"] or None, given["title"] or None)
    except DraftRefused as exc:
        return _page({**given, "problem": f"{exc.field}: {exc.detail}"}, 400)
    found: Known = await db.run(known)
    work = partial(
        make_draft,
        text,
        published=day,
        actors=found.actors,
        places=found.places,
        outlet=given["outlet"] or None,
        title=given["title"] or None,
    )
    made = await anyio.to_thread.run_sync(work)
    segments = _segments(text, made)
    unsure = sum(1 for segment in segments if segment["kind"] == "hl-media")
    return _page(
        {
            **given,
            "segments": segments,
            "yaml": to_yaml(made),
            "claims": len(made.bundle["claims"]),
            "unsure": unsure,
        }
    )
