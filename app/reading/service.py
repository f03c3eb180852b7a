"""What the reading view shows, read with the API's own services (run through `db.run`)."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.claims.service import claims_of_report
from app.media.service import media_of_report
from app.models import Actor, ActorRelation, Claim, Event, Media, Report
from app.reports.service import report_detail, report_text
from app.shared.claims import claim_briefs

# The index lists this many reports, newest first (a synthetic corpus has thousands; the
# API's /v1/reports pages through all of them).
INDEX_LIMIT = 200


def report_index(session: Session) -> dict[str, Any]:
    """The newest reports with how many claims, media items and events each holds."""
    total = session.scalar(select(func.count()).select_from(Report)) or 0
    rows = (
        session.execute(
            select(Report.id, Report.title, Report.publisher, Report.published_on)
            .order_by(Report.published_on.desc(), Report.id)
            .limit(INDEX_LIMIT)
        )
        .mappings()
        .all()
    )
    ids = [row["id"] for row in rows]
    counts: dict[str, dict[str, int]] = {report_id: {} for report_id in ids}
    for name, model in (("claims", Claim), ("media", Media), ("events", Event)):
        for report_id, count in session.execute(
            select(model.report_id, func.count())
            .where(model.report_id.in_(ids))
            .group_by(model.report_id)
        ).all():
            counts[report_id][name] = count
    reports = [
        {
            **row,
            "claims": counts[row["id"]].get("claims", 0),
            "media": counts[row["id"]].get("media", 0),
            "events": counts[row["id"]].get("events", 0),
        }
        for row in rows
    ]
    return {"reports": reports, "total": total}


def relations_of_report(session: Session, *, report_id: str) -> list[dict[str, Any]]:
    """The actor relations a report supports, each with its span, in the order of the text."""
    subject, obj = aliased(Actor), aliased(Actor)
    rows = session.execute(
        select(
            ActorRelation.id,
            ActorRelation.kind,
            ActorRelation.quote,
            ActorRelation.span_start,
            ActorRelation.span_end,
            subject.id.label("subject_id"),
            subject.name.label("subject_name"),
            obj.id.label("object_id"),
            obj.name.label("object_name"),
        )
        .join(subject, subject.id == ActorRelation.subject_id)
        .join(obj, obj.id == ActorRelation.object_id)
        .where(ActorRelation.report_id == report_id)
        .order_by(ActorRelation.span_start, ActorRelation.span_end.desc(), ActorRelation.id)
    ).mappings()
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "quote": r["quote"],
            "span": {"start": r["span_start"], "end": r["span_end"]},
            "subject": {"id": r["subject_id"], "name": r["subject_name"]},
            "object": {"id": r["object_id"], "name": r["object_name"]},
        }
        for r in rows
    ]


def report_reading(session: Session, *, report_id: str) -> dict[str, Any]:
    """A report, its text, and every item with a span into it (claims, media, relations),
    with the claims of other reports that contradict its claims."""
    report = report_detail(session, report_id=report_id)
    claims = claims_of_report(session, report_id=report_id)
    own = {claim["id"] for claim in claims}
    elsewhere = sorted({other for c in claims for other in c["contradicts"]} - own)
    return {
        "report": report,
        "text": report_text(session, report_id=report_id),
        "claims": claims,
        "media": media_of_report(session, report_id=report_id),
        "relations": relations_of_report(session, report_id=report_id),
        "other_claims": claim_briefs(session, elsewhere),
    }
