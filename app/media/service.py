from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from app.core.http.errors import NotFound
from app.core.query.facets import Facet, FacetSet, facet_answer, month_facet, vocabulary_facet
from app.core.query.listing import Bindable, collection_page, envelope, facet_scope, grouped
from app.core.query.pagination import SortField
from app.core.query.params import parse_bbox
from app.core.query.periods import date_range, period_of
from app.core.query.sync import updated_at_column
from app.models import Actor, FacetCount, Location, Media, MediaActor, MediaLocation
from app.models.vocab import MediaKind, label_of
from app.shared.actors import actors_with_roles
from app.shared.places import linked_in_bbox, located_in, places_facet

# The collection's name and what one of its items is called (see `media.collection`).
NAME = "media"
ITEM_TYPE = "media"

MEDIA_COLUMNS = (
    Media.id,
    Media.report_id,
    Media.kind,
    Media.caption,
    Media.span_start,
    Media.span_end,
    Media.posted_on,
    Media.posted_on_precision,
    Media.posted_on_text,
    Media.posted_by_id,
    Media.platform,
    Media.credit,
    Media.claim_id,
    updated_at_column(Media),
)
SORT_FIELDS = {
    "id": SortField(Media.id, "str"),
    "posted_on": SortField(Media.posted_on, "date", nullable=True),
    "kind": SortField(Media.kind, "str"),
    "report_id": SortField(Media.report_id, "str"),
    "updated_at": SortField(Media.updated_at, "datetime"),
}


def media_filters(session: Session, params: Any) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if params.kind:
        where.append(Media.kind.in_(params.kind))
    if params.posted_by:
        where.append(Media.posted_by_id.in_(params.posted_by))
    if params.actor_id:
        where.append(
            or_(
                Media.posted_by_id.in_(params.actor_id),
                Media.id.in_(
                    select(MediaActor.media_id).where(MediaActor.actor_id.in_(params.actor_id))
                ),
            )
        )
    if params.location_id:
        where.append(
            Media.id.in_(
                select(MediaLocation.media_id).where(
                    located_in(
                        session,
                        MediaLocation.location_id,
                        params.location_id,
                        include_sublocations=params.include_sublocations,
                    )
                )
            )
        )
    if params.report_id:
        where.append(Media.report_id.in_(params.report_id))
    if params.platform:
        where.append(Media.platform.in_(params.platform))
    if params.bbox:
        box = parse_bbox(params.bbox)
        where.append(
            linked_in_bbox(Media.id, MediaLocation.media_id, MediaLocation.location_id, box)
        )
    where += date_range(
        Media.posted_on,
        Media.posted_until,
        Media.posted_on_precision,
        date_from=params.posted_from,
        date_to=params.posted_to,
        mode=params.date_match,
        names=("posted_from", "posted_to"),
    )
    return where


def _base_statement() -> Select[*tuple[Any, ...]]:
    return select(
        *MEDIA_COLUMNS, Actor.name.label("posted_by_name"), Actor.kind.label("posted_by_kind")
    ).outerjoin(Actor, Actor.id == Media.posted_by_id)


# The filters that bind as parameters (see collection_page).
BINDABLE = {
    "kind": Bindable(Media.kind),
    "posted_by": Bindable(Media.posted_by_id),
    "report_id": Bindable(Media.report_id),
    "platform": Bindable(Media.platform),
}


def list_media(session: Session, dialect: str, params: Any) -> dict[str, Any]:
    result = collection_page(
        session,
        dialect,
        params,
        collection=ITEM_TYPE,
        statement=_base_statement,
        filters=lambda: media_filters(session, params),
        bindable=BINDABLE,
        id_column=Media.id,
        sort_fields=SORT_FIELDS,
    )
    return envelope(media_items(session, result.rows), result)


def media_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    actors = actors_with_roles(
        session, link=MediaActor, owner_column=MediaActor.media_id, owner_ids=ids
    )
    locations = grouped(
        session.execute(
            select(MediaLocation.media_id, Location.id, Location.name, Location.kind)
            .join(Location, Location.id == MediaLocation.location_id)
            .where(MediaLocation.media_id.in_(ids))
            .order_by(MediaLocation.media_id, MediaLocation.position)
        )
        .mappings()
        .all(),
        "media_id",
    )
    items = []
    for row in rows:
        posted_by = None
        if row["posted_by_id"] is not None:
            posted_by = {
                "id": row["posted_by_id"],
                "name": row["posted_by_name"],
                "kind": row["posted_by_kind"],
            }
        items.append(
            {
                "id": row["id"],
                "report_id": row["report_id"],
                "kind": row["kind"],
                "caption": row["caption"],
                "span": {"start": row["span_start"], "end": row["span_end"]},
                "posted_on": row["posted_on"],
                "posted_on_precision": row["posted_on_precision"],
                "posted_period": period_of(row["posted_on"], row["posted_on_precision"]),
                "posted_on_text": row["posted_on_text"],
                "posted_by": posted_by,
                "platform": row["platform"],
                "credit": row["credit"],
                "claim_id": row["claim_id"],
                "actors": actors.get(row["id"], []),
                "locations": [
                    {k: loc[k] for k in ("id", "name", "kind")}
                    for loc in locations.get(row["id"], [])
                ],
                "updated_at": row["updated_at"],
            }
        )
    return items


def media_detail(session: Session, *, media_id: str) -> dict[str, Any]:
    row = session.execute(_base_statement().where(Media.id == media_id)).mappings().first()
    if row is None:
        raise NotFound(f"no media item with id '{media_id}'")
    (item,) = media_items(session, [row])
    return item


MEDIA_FACETS = FacetSet(
    NAME,
    Media,
    FacetCount,
    {
        "kind": vocabulary_facet(Media.kind, partial(label_of, MediaKind)),
        "posted_by": Facet(
            Media.posted_by_id,
            label=Actor.name,
            joins=[(Actor, Actor.id == Media.posted_by_id, True)],
            none_label="Poster not named",
        ),
        "platform": Facet(Media.platform, none_label="Platform not named"),
        "location": places_facet(MediaLocation, MediaLocation.media_id, Media.id),
        "month": month_facet(Media.posted_on, Media.posted_on_precision),
    },
)


def media_facets(session: Session, dialect: str, params: Any, *, size: int) -> dict[str, Any]:
    scope = facet_scope(
        session,
        dialect,
        params,
        media_filters(session, params),
        entity_type=ITEM_TYPE,
        id_column=Media.id,
    )
    return facet_answer(session, MEDIA_FACETS, scope, size=size)


def media_of_report(session: Session, *, report_id: str) -> list[dict[str, Any]]:
    """Every media item of a report as the API shapes it, in the order of the text."""
    rows = (
        session.execute(
            _base_statement()
            .where(Media.report_id == report_id)
            .order_by(Media.span_start, Media.span_end.desc(), Media.id)
        )
        .mappings()
        .all()
    )
    return media_items(session, rows)
