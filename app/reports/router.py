from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import PlainTextResponse

from app.core.deps import SessionDep
from app.reports import service
from app.reports.schemas import ReportDetail, ReportPage, ReportSummary

router = APIRouter(prefix="/v1/reports", tags=["reports"])

ReportId = Annotated[
    str,
    Path(description="The report's id.", examples=["panjshir-last-bastion-2021-08-24"]),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No report with that id (problem+json)."}
}


@router.get("", summary="List reports", response_model=ReportPage)
def list_reports(session: SessionDep) -> ReportPage:
    """Every report, newest first."""
    items = [ReportSummary.model_validate(r) for r in service.list_reports(session)]
    return ReportPage(items=items, next_cursor=None)


@router.get("/{report_id}", summary="One report", response_model=ReportDetail, responses=NOT_FOUND)
def get_report(report_id: ReportId, session: SessionDep) -> ReportDetail:
    """A report's metadata, summary bullets and the checksum of its text."""
    report, length = service.report_with_length(session, report_id=report_id)
    return ReportDetail(
        id=report.id,
        title=report.title,
        publisher=report.publisher,
        author=report.author,
        published_on=report.published_on,
        language=report.language,
        headline=report.headline,
        publisher_note=report.publisher_note,
        published_on_note=report.published_on_note,
        url=report.url,
        summary=report.summary,
        body_sha256=report.body_sha256,
        body_length=length,
        text_url=f"/v1/reports/{report.id}/text",
    )


@router.get(
    "/{report_id}/text",
    summary="A report's text, verbatim",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}, **NOT_FOUND},
)
def get_report_text(report_id: ReportId, session: SessionDep) -> PlainTextResponse:
    """Exactly the stored text: every `span` in this API indexes it in Unicode code points."""
    return PlainTextResponse(service.report_text(session, report_id=report_id))
