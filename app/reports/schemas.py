from datetime import date

from pydantic import BaseModel, Field

from app.core.schemas import Page, UpdatedAt
from app.shared.schemas import ActorRef


class ReportSummary(BaseModel):
    id: str = Field(examples=["panjshir-last-bastion-2021-08-24"])
    title: str = Field(examples=["Afghanistan's last bastion against the Taliban"])
    publisher: str = Field(examples=["MailOnline (Daily Mail)"])
    author: str | None
    published_on: date = Field(examples=["2021-08-24"])
    language: str = Field(examples=["en"])
    updated_at: UpdatedAt


class ReportDetail(ReportSummary):
    outlet: ActorRef | None = Field(
        description="The publisher as an actor: the claimant of what the report asserts itself."
    )
    headline: str | None
    publisher_note: str | None
    published_on_note: str = Field(description="How the publication date was established.")
    url: str | None
    summary: list[str] = Field(description="The summary bullets, verbatim.")
    body_sha256: str = Field(description="SHA-256 of the text as served at `/text` (UTF-8).")
    body_length: int = Field(description="Length of the text in Unicode code points.")
    text_url: str


class ReportPage(Page[ReportSummary]):
    pass
