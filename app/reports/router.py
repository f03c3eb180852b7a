from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response

from app.core.db.deps import DatabaseDep
from app.core.http.responses import FastJSONResponse
from app.core.query.sync import LAST_MODIFIED, item_response, last_modified, with_last_change
from app.core.render.export import add_export_route
from app.core.render.formats import list_answer, list_responses
from app.core.schemas import problem_responses
from app.reports import service
from app.reports.collection import REPORTS, ReportParams
from app.reports.schemas import ReportDetail, ReportPage

router = APIRouter(prefix=f"/v1/{REPORTS.name}", tags=[REPORTS.name])


ReportId = Annotated[
    str,
    Path(description="The report's id.", examples=["panjshir-last-bastion-2021-08-24"]),
]


@router.get(
    "",
    summary="List reports",
    response_model=ReportPage,
    responses={**problem_responses(400, 406), **list_responses(REPORTS)},
)
async def list_reports(
    params: Annotated[ReportParams, Query()], db: DatabaseDep, request: Request
) -> Response:
    """The source documents, newest first."""
    return await list_answer(request, db, params, collection=REPORTS)


add_export_route(router, REPORTS)


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
        await db.lookup(with_last_change(service.report_detail, db.changes), report_id=report_id)
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
    text, changed = await db.lookup(
        with_last_change(service.report_text, db.changes), report_id=report_id
    )
    return PlainTextResponse(text, headers=last_modified(changed))
