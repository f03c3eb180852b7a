import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.params import ListParams, sort_description, sort_pattern
from app.core.query.sync import LAST_MODIFIED, item_response, last_modified, with_last_change
from app.core.render.export import (
    ExportParams,
    ExportSource,
    add_export_route,
    same_field,
)
from app.core.render.formats import (
    LinkedFormat,
    Representation,
    format_field,
    list_answer,
    list_responses,
    register,
)
from app.core.schemas import problem_responses
from app.linked_data import document as jsonld
from app.reports import service
from app.reports.schemas import ReportDetail, ReportPage, ReportSummary

router = APIRouter(prefix="/v1/reports", tags=["reports"])
REPRESENTATION = register(Representation("reports", ReportSummary, jsonld=jsonld.reports_document))

ReportId = Annotated[
    str,
    Path(description="The report's id.", examples=["panjshir-last-bastion-2021-08-24"]),
]


class ReportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: list[str] | None = Field(
        default=None, description="Language code of the text.", examples=[["en"]]
    )
    published_from: dt.date | None = Field(
        default=None, description="Published on or after this day.", examples=["2021-08-01"]
    )
    published_to: dt.date | None = Field(
        default=None, description="Published on or before this day.", examples=["2021-08-31"]
    )


class ReportParams(ListParams, ReportFilters):
    format: LinkedFormat | None = format_field()
    sort: str | None = Field(
        default=None,
        description=sort_description(list(service.SORT_FIELDS), default="-published_on"),
        json_schema_extra=sort_pattern(list(service.SORT_FIELDS)),
        examples=["-published_on"],
    )


class ReportExportParams(ExportParams, ReportFilters):
    sort: str | None = same_field(ReportParams, "sort")


REPORTS_EXPORT = ExportSource(
    name="reports",
    list_page=service.list_reports,
    page_params=ReportParams,
    export_params=ReportExportParams,
    item_schema=ReportSummary,
)


@router.get(
    "",
    summary="List reports",
    response_model=ReportPage,
    responses={**problem_responses(400, 406), **list_responses("reports")},
)
async def list_reports(
    params: Annotated[ReportParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """The source documents, newest first."""
    return await list_answer(request, db, params, collection="reports", page=service.list_reports)


add_export_route(router, REPORTS_EXPORT, noun="report")


@router.get(
    "/{report_id}",
    summary="One report",
    response_model=ReportDetail,
    responses={**LAST_MODIFIED, **problem_responses(404)},
)
async def get_report(report_id: ReportId, db: DatabaseDep) -> FastJSONResponse:
    """A report's metadata, how its date was established, its summary bullets and the checksum
    and length of its text."""
    return item_response(
        await db.lookup(with_last_change(service.report_detail), report_id=report_id)
    )


@router.get(
    "/{report_id}/text",
    summary="A report's text, verbatim",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}, **LAST_MODIFIED[200]},
        **problem_responses(404),
    },
)
async def get_report_text(report_id: ReportId, db: DatabaseDep) -> PlainTextResponse:
    """Exactly the stored text: every `span` in this API indexes it in Unicode code points."""
    text, changed = await db.lookup(with_last_change(service.report_text), report_id=report_id)
    return PlainTextResponse(text, headers=last_modified(changed))
