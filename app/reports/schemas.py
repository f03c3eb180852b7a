from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class ReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(examples=["panjshir-last-bastion-2021-08-24"])
    title: str
    publisher: str
    author: str | None
    published_on: date
    language: str


class ReportDetail(ReportSummary):
    headline: str | None
    publisher_note: str | None
    published_on_note: str = Field(description="How the publication date was established.")
    url: str | None
    summary: list[str] = Field(description="The summary bullets, verbatim.")
    body_sha256: str = Field(description="SHA-256 of the text as served at `/text` (UTF-8).")
    body_length: int = Field(description="Length of the text in Unicode code points.")
    text_url: str


class ReportPage(BaseModel):
    items: list[ReportSummary]
    next_cursor: str | None = None
