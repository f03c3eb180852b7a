"""The reports collection, declared once: its parameters and what the kit needs to know of it."""

from pydantic import BaseModel, ConfigDict, Field

from app.core.collection import Collection
from app.core.http.negotiation import LinkedFormat
from app.core.query.params import ListParams, sort_description, sort_pattern
from app.core.query.periods import DateFrom, DateTo, from_description, to_description
from app.core.render.export import ExportParams, same_field
from app.core.render.formats import format_field
from app.linked_data import document as jsonld
from app.models import Report
from app.reports import service
from app.reports.schemas import ReportSummary


class ReportFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: list[str] | None = Field(
        default=None, description="Language code of the text.", examples=[["en"]]
    )
    published_from: DateFrom | None = Field(
        default=None,
        description=from_description("Published on or after this day."),
        examples=["2021-08-01", "2021-08"],
    )
    published_to: DateTo | None = Field(
        default=None,
        description=to_description("Published on or before this day."),
        examples=["2021-08-31", "2021"],
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


REPORTS = Collection(
    name=service.NAME,
    item_type=service.ITEM_TYPE,
    noun="report",
    model=Report,
    item_schema=ReportSummary,
    title=Report.title,
    list_page=service.list_reports,
    list_params=ReportParams,
    export_params=ReportExportParams,
    sort_fields=service.SORT_FIELDS,
    jsonld=jsonld.reports_document,
)
