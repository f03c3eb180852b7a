from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from app.core.errors import NotFound
from app.models import Report


def list_reports(session: Session) -> Sequence[Report]:
    statement = (
        select(Report)
        .options(
            load_only(
                Report.id,
                Report.title,
                Report.publisher,
                Report.author,
                Report.published_on,
                Report.language,
            )
        )
        .order_by(Report.published_on.desc(), Report.id)
    )
    return session.scalars(statement).all()


def report_with_length(session: Session, *, report_id: str) -> tuple[Report, int]:
    row = session.execute(
        select(Report, func.length(Report.body)).where(Report.id == report_id)
    ).first()
    if row is None:
        raise NotFound(f"no report with id '{report_id}'")
    return row[0], int(row[1])


def report_text(session: Session, *, report_id: str) -> str:
    body = session.scalar(select(Report.body).where(Report.id == report_id))
    if body is None:
        raise NotFound(f"no report with id '{report_id}'")
    return body
