"""The seed report comes out complete and checkable."""

import datetime as dt
import hashlib

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import (
    Actor,
    ActorRelation,
    Claim,
    ClaimLink,
    ClaimQuantity,
    Event,
    EventActor,
    Location,
    Media,
    Report,
)
from tests.conftest import REPORT_ID, SEED_DIR


def _report(session: Session) -> Report:
    report = session.get(Report, REPORT_ID)
    assert report is not None
    return report


def test_the_report_text_is_stored_verbatim(engine: Engine) -> None:
    raw = (SEED_DIR / "texts" / "000_54838b346df77719.txt").read_bytes()
    with Session(engine) as session:
        report = _report(session)
        assert report.body.encode("utf-8") == raw
        assert report.body_sha256 == hashlib.sha256(raw).hexdigest()
        assert "\u00a0" in report.body, "the no-break spaces of the original survive"
        assert report.published_on == dt.date(2021, 8, 24)
        assert "Reuters" in report.published_on_note


def test_every_span_equals_the_text_at_its_offsets(engine: Engine) -> None:
    with Session(engine) as session:
        body = _report(session).body
        spanned = [
            *session.execute(select(Claim.id, Claim.quote, Claim.span_start, Claim.span_end)),
            *session.execute(select(Media.id, Media.caption, Media.span_start, Media.span_end)),
            *session.execute(
                select(
                    ActorRelation.id,
                    ActorRelation.quote,
                    ActorRelation.span_start,
                    ActorRelation.span_end,
                )
            ),
        ]
    assert len(spanned) >= 18 + 13 + 10
    mismatched = [row.id for row in spanned if body[row[2] : row[3]] != row[1]]
    assert mismatched == []


def test_quotes_keep_the_originals_typography(engine: Engine) -> None:
    with Session(engine) as session:
        appeal = session.get(Claim, "massoud-appeal-to-the-french")
        surrounded = session.get(Claim, "taliban-sending-hundreds")
    assert appeal is not None
    assert surrounded is not None
    # The YAML writes straight quotes; the stored quote is the article's curly one.
    assert appeal.quote == "\u2018Join us in spirit, or with direct support.\u2019"
    assert "they\u2019re" in surrounded.quote


def test_summary_bullets_are_quoted_from_the_text(engine: Engine) -> None:
    with Session(engine) as session:
        report = _report(session)
    assert len(report.summary) == 5
    assert (
        report.summary[0]
        == "Taliban claims it has surrounded the Panjshir Valley, 100 miles north of Kabul"
    )
    assert all(bullet in report.body for bullet in report.summary)


def test_floor_counts_hold(engine: Engine) -> None:
    floors = {Actor: 20, Location: 12, Claim: 18, Media: 13, Event: 5, ActorRelation: 10}
    with Session(engine) as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in floors
        }
    below = {
        m.__name__: counts[m.__name__] for m, floor in floors.items() if counts[m.__name__] < floor
    }
    assert below == {}, counts


def test_relative_dates_are_resolved_against_publication(engine: Engine) -> None:
    with Session(engine) as session:
        retook = session.get(Claim, "taliban-retook-three-districts")
        reuters = session.get(Claim, "massoud-people-want-to-resist")
        appeal = session.get(Claim, "massoud-appeal-to-the-french")
        soviet = session.get(Event, "soviet-offensives-panjshir-1980s")
        boys = session.get(Media, "photo-boys-with-flags")
    assert retook is not None
    assert reuters is not None
    assert appeal is not None
    assert (retook.stated_on, retook.stated_on_precision, retook.stated_on_text) == (
        dt.date(2021, 8, 23),
        "day",
        "on Monday",
    )
    assert (reuters.stated_on, reuters.channel, reuters.venue_id) == (
        dt.date(2021, 8, 22),
        "interview",
        "reuters",
    )
    assert (appeal.stated_on, appeal.stated_until, appeal.stated_on_precision) == (
        dt.date(2021, 8, 1),
        dt.date(2021, 8, 31),
        "month",
    )
    assert soviet is not None
    assert (soviet.date, soviet.date_until, soviet.date_precision) == (
        dt.date(1980, 1, 1),
        dt.date(1989, 12, 31),
        "decade",
    )
    assert boys is not None
    assert boys.posted_on == dt.date(2021, 8, 21)  # "on Saturday"


def test_claims_carry_claimants_quantities_and_contradictions(engine: Engine) -> None:
    with Session(engine) as session:
        taliban_claims = set(
            session.scalars(select(Claim.id).where(Claim.claimant_id == "taliban"))
        )
        ambush = session.scalars(
            select(ClaimQuantity).where(ClaimQuantity.claim_id == "na-fuj-ambush-50-killed")
        ).one()
        aide = session.scalars(
            select(ClaimQuantity).where(ClaimQuantity.claim_id == "aide-forces-over-6000")
        ).one()
        contradicting = set(
            session.scalars(
                select(ClaimLink.source_id).where(
                    ClaimLink.target_id == "taliban-panjshir-surrounded",
                    ClaimLink.kind == "contradicts",
                )
            )
        )
        asserted_by_report = set(
            session.scalars(select(Claim.id).where(Claim.claimant_id == "mailonline"))
        )
        reporting = set(session.scalars(select(Claim.id).where(Claim.channel == "reporting")))
        without_claimant = list(
            session.scalars(select(Claim.id).where(Claim.claimant_id.is_(None)))
        )
        publisher = session.scalars(select(Report.publisher_id)).one()
    assert {"taliban-retook-three-districts", "taliban-panjshir-surrounded"} <= taliban_claims
    assert (ambush.value, ambush.unit, ambush.qualifier) == (50, "people", "exact")
    assert (aide.value, aide.qualifier) == (6000, "more_than")
    assert contradicting == {"na-efforts-rebuffed", "massoud-no-fighter-has-dared"}
    assert "report-soviet-offensives" in asserted_by_report
    assert asserted_by_report == reporting
    assert len(reporting) == 5
    assert without_claimant == []
    assert publisher == "mailonline"


def test_locations_have_a_hierarchy_and_honest_coordinates(engine: Engine) -> None:
    with Session(engine) as session:
        valley = session.get(Location, "panjshir-valley")
        province = session.get(Location, "panjshir-province")
        fuj = session.get(Location, "fuj-area")
        brussels = session.get(Location, "brussels")
    assert valley is not None
    assert province is not None
    assert fuj is not None
    assert (valley.parent_id, province.parent_id) == ("panjshir-province", "afghanistan")
    assert valley.latitude is not None
    assert valley.longitude is not None
    assert 35.0 < valley.latitude < 35.8
    assert 69.2 < valley.longitude < 70.2
    assert (fuj.latitude, fuj.longitude, fuj.precision) == (None, None, "unknown")
    assert brussels is not None
    assert brussels.country_code == "BE"


def test_events_have_actors_and_fatalities(engine: Engine) -> None:
    with Session(engine) as session:
        ambush = session.get(Event, "fuj-ambush")
        roles = dict(
            session.execute(
                select(EventActor.actor_id, EventActor.role).where(
                    EventActor.event_id == "fuj-ambush"
                )
            ).all()
        )
    assert ambush is not None
    assert (ambush.event_type, ambush.sub_event_type) == ("Battles", "Armed clash")
    assert (ambush.fatalities_low, ambush.fatalities_best, ambush.fatalities_high) == (
        None,
        50,
        None,
    )
    assert roles == {"northern-alliance": "attacker", "taliban": "victim"}
