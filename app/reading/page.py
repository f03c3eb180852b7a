"""The reading view's page model: the service's data turned into what the templates show
(labels, links, highlights). Pure functions of that data."""

import datetime as dt
from typing import Any

from markupsafe import Markup

from app.models.vocab import ClaimChannel, ClaimStatus, MediaKind, RelationKind, label_of
from app.reading.highlight import Highlight, render

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Written outermost first where spans are the same: a caption holds the claim it carries,
# a claim the relation its words support.
RANK = {"media": 0, "claim": 1, "relation": 2}
NO_CLAIMANT = "Claimant not named"
CONTRADICTED = "\u26a0"  # ⚠, beside the colour: a contradicted claim is marked by a symbol


def long_date(day: dt.date | None) -> str:
    """`24 August 2021` (whatever the process's locale)."""
    if day is None:
        return "date not known"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def claim_json(claim_id: str) -> str:
    return f"/v1/claims/{claim_id}"


def _ref(href: str, ref: str, label: str, *, kind: str) -> Markup:
    """The small link written at the end of a highlight: its visible text (`C3`) comes from
    CSS, so the report's text between the tags stays exactly the report's text."""
    return Markup(
        '<a class="ref ref-{kind}" href="{href}" data-ref="{ref}" aria-label="{label}"'
        ' title="{label}"></a>'
    ).format(kind=kind, href=href, ref=ref, label=label)


def _claimant_name(claim: dict[str, Any]) -> str:
    return str(claim["claimant"]["name"]) if claim["claimant"] else NO_CLAIMANT


def report_page(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the report template shows, from `service.report_reading`."""
    report, text = data["report"], data["text"]
    claims: list[dict[str, Any]] = data["claims"]
    media: list[dict[str, Any]] = data["media"]
    relations: list[dict[str, Any]] = data["relations"]
    labels = {claim["id"]: f"C{n}" for n, claim in enumerate(claims, 1)}
    order = {claim["id"]: n for n, claim in enumerate(claims)}
    by_id = {claim["id"]: claim for claim in claims}
    others = {brief["id"]: brief for brief in data["other_claims"]}
    carried_by: dict[str, list[str]] = {}
    for n, item in enumerate(media, 1):
        if item["claim_id"]:
            carried_by.setdefault(item["claim_id"], []).append(f"M{n}")

    highlights: list[Highlight] = []
    claim_views: list[dict[str, Any]] = []
    for claim in claims:
        label, claimant = labels[claim["id"]], _claimant_name(claim)
        contradicting = []
        # In the order of the text; claims of other reports after them, by id.
        for other_id in sorted(claim["contradicts"], key=lambda i: (order.get(i, len(order)), i)):
            if other_id in by_id:
                other = by_id[other_id]
                contradicting.append(
                    {
                        "id": other_id,
                        "label": labels[other_id],
                        "href": f"#claim-{other_id}",
                        "claimant": _claimant_name(other),
                    }
                )
            else:
                brief = others.get(other_id)
                contradicting.append(
                    {
                        "id": other_id,
                        "label": other_id,
                        "href": claim_json(other_id),
                        "claimant": brief["claimant"]["name"]
                        if brief and brief["claimant"]
                        else NO_CLAIMANT,
                    }
                )
        status = label_of(ClaimStatus, claim["status"]) or claim["status"]
        summary = f"{label}: claim by {claimant} ({status.lower()})"
        if contradicting:
            summary += "; contradicted by " + ", ".join(
                f"{c['label']} ({c['claimant']})" for c in contradicting
            )
        view = {
            **claim,
            "label": label,
            "anchor": f"claim-{claim['id']}",
            "json": claim_json(claim["id"]),
            "claimant_name": claimant,
            "status_label": status,
            "channel_label": label_of(ClaimChannel, claim["channel"]),
            "contradicting": contradicting,
            "carried_by": carried_by.get(claim["id"], []),
            "summary": summary,
        }
        claim_views.append(view)
        classes = "hl hl-claim" + (" contradicted" if contradicting else "")
        highlights.append(
            Highlight(
                claim["span"]["start"],
                claim["span"]["end"],
                f"claim:{claim['id']}",
                rank=RANK["claim"],
                attributes={
                    "class": classes,
                    "data-item": "claim",
                    "data-id": claim["id"],
                    "data-claimant-id": claim["claimant"]["id"] if claim["claimant"] else "",
                    "data-claimant": claimant,
                    "title": summary,
                },
                first_attributes={"id": view["anchor"]},
                tail=_ref(
                    view["json"],
                    f"{CONTRADICTED} {label}" if contradicting else label,
                    f"{summary}. Open the claim's JSON.",
                    kind="claim",
                ),
            )
        )

    media_views: list[dict[str, Any]] = []
    for n, item in enumerate(media, 1):
        label = f"M{n}"
        kind = label_of(MediaKind, item["kind"]) or item["kind"]
        carried = by_id.get(item["claim_id"] or "")
        poster = item["posted_by"]["name"] if item["posted_by"] else None
        by = poster or (_claimant_name(carried) if carried else None)
        summary = f"{label}: {kind.lower()} caption" + (
            f", posted by {poster}" if poster else ", poster not named"
        )
        if item["claim_id"]:
            carried_label = labels.get(item["claim_id"], item["claim_id"])
            summary += f"; carries claim {carried_label}" + (
                f" by {_claimant_name(carried)}" if carried else ""
            )
        view = {
            **item,
            "label": label,
            "kind_label": kind,
            "anchor": f"media-{item['id']}",
            "json": f"/v1/media/{item['id']}",
            "poster": poster,
            "claim": (
                {
                    "id": item["claim_id"],
                    "label": labels.get(item["claim_id"], item["claim_id"]),
                    "href": (
                        f"#claim-{item['claim_id']}" if carried else claim_json(item["claim_id"])
                    ),
                }
                if item["claim_id"]
                else None
            ),
            "summary": summary,
        }
        media_views.append(view)
        highlights.append(
            Highlight(
                item["span"]["start"],
                item["span"]["end"],
                f"media:{item['id']}",
                rank=RANK["media"],
                attributes={
                    "class": "hl hl-media",
                    "data-item": "media",
                    "data-id": item["id"],
                    **({"data-claimant": by} if by else {}),
                    "title": summary,
                },
                first_attributes={"id": view["anchor"]},
                tail=_ref(view["json"], label, f"{summary}. Open its JSON.", kind="media"),
            )
        )

    relation_views: list[dict[str, Any]] = []
    for n, relation in enumerate(relations, 1):
        label = f"R{n}"
        kind = label_of(RelationKind, relation["kind"]) or relation["kind"]
        summary = (
            f"{label}: relation, {relation['subject']['name']} {kind.lower()} "
            f"{relation['object']['name']}"
        )
        view = {
            **relation,
            "label": label,
            "kind_label": kind,
            "anchor": f"relation-{relation['id']}",
            # Relations have no route of their own: the subject's JSON lists them (by id).
            "json": f"/v1/actors/{relation['subject']['id']}",
            "summary": summary,
        }
        relation_views.append(view)
        highlights.append(
            Highlight(
                relation["span"]["start"],
                relation["span"]["end"],
                f"relation:{relation['id']}",
                rank=RANK["relation"],
                attributes={
                    "class": "hl hl-relation",
                    "data-item": "relation",
                    "data-id": relation["id"],
                    "data-claimant": relation["subject"]["name"],
                    "title": summary,
                },
                first_attributes={"id": view["anchor"]},
                tail=_ref(
                    view["json"],
                    label,
                    f"{summary}. Open {relation['subject']['name']}'s JSON, which lists it.",
                    kind="relation",
                ),
            )
        )

    groups: dict[str, dict[str, Any]] = {}
    for view in claim_views:
        key = view["claimant"]["id"] if view["claimant"] else ""
        group = groups.setdefault(
            key,
            {
                "id": key or None,
                "name": view["claimant_name"],
                "json": f"/v1/actors/{key}" if key else None,
                "claims": [],
            },
        )
        group["claims"].append(view)
    claimants = sorted(
        groups.values(), key=lambda g: (g["id"] is None, -len(g["claims"]), g["name"], g["id"])
    )
    return {
        "report": {**report, "published": long_date(report["published_on"])},
        "text": render(text, highlights),
        "claims": claim_views,
        "claimants": claimants,
        "media": media_views,
        "relations": relation_views,
        "contradicted": sum(1 for view in claim_views if view["contradicting"]),
    }


def index_page(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the index template shows, from `service.report_index`."""
    return {
        "reports": [
            {**report, "published": long_date(report["published_on"])} for report in data["reports"]
        ],
        "total": data["total"],
    }
