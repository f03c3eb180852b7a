"""A month (`2021-08`) or a year (`2021`) wherever a range bound (`…_from`, `…_to`) is asked:
the period from its first day to its last, on every collection that has dates, in lists,
facets, exports and the command line alike."""

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.query.periods import PERIOD_PATTERN, DateFrom, DateTo, period_bounds
from tests.helpers import assert_problem, id_set

# Every collection with a date range, and its bounds.
RANGES = {
    "/v1/claims": ("stated_from", "stated_to"),
    "/v1/events": ("date_from", "date_to"),
    "/v1/media": ("posted_from", "posted_to"),
    "/v1/reports": ("published_from", "published_to"),
}

# The seed's claims stated in August 2021: every claim but the one from 2020 or before, and
# the one with no date.
NOT_IN_AUGUST_2021 = {"levy-france-should-help"}


def test_every_range_bound_of_the_api_takes_a_period(client: TestClient) -> None:
    """The class: every `…_from` / `…_to` query parameter the document lists is typed as a
    period bound (a parameter added later without the type fails here)."""
    document = client.get("/openapi.json").json()
    found: dict[str, Any] = {}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                # `related_to` (actors) is an actor's id, not a range bound.
                if parameter["in"] == "query" and name.endswith(("_from", "_to")):
                    if name == "related_to":
                        continue
                    found[f"{path} {parameter['name']}"] = parameter
    assert len(found) >= 16, sorted(found)
    for where, parameter in found.items():
        pattern = parameter["schema"]["pattern"]
        assert pattern == PERIOD_PATTERN, where
        assert "a month or a year" in parameter["description"], where
    assert "PeriodBound" in repr(DateFrom)
    assert "PeriodBound" in repr(DateTo)


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("2021", True),
        ("2021-08", True),
        ("2021-08-31", True),
        ("2024-02-29", True),
        ("2021-02-29", True),  # the guard refuses it; leap years are beyond a pattern
        ("0001", True),
        ("0000", False),
        ("2021-13", False),
        ("2021-02-30", False),
        ("2021-04-31", False),
        ("2021-8", False),
        ("20210824", False),
    ],
)
def test_the_documented_pattern_is_what_the_guard_reads(text: str, allowed: bool) -> None:
    assert bool(re.fullmatch(PERIOD_PATTERN, text)) is allowed
    if allowed and text != "2021-02-29":
        period_bounds(text)


def test_period_bounds_are_the_first_and_last_day() -> None:
    assert period_bounds("2021") == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert period_bounds("2021-08") == (dt.date(2021, 8, 1), dt.date(2021, 8, 31))
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_bounds("2021-08-24") == (dt.date(2021, 8, 24), dt.date(2021, 8, 24))
    for wrong in ("2021-13", "2021-02-30", "21", "2021-8", "0000", "2021-08-24T00:00:00Z"):
        with pytest.raises(ValueError, match=r"."):
            period_bounds(wrong)


def test_stated_from_a_month_or_a_year_gives_the_claims_of_that_period(
    client: TestClient,
) -> None:
    dated = id_set(client, "/v1/claims", stated_to="9999-12-31")
    august = id_set(client, "/v1/claims", stated_from="2021-08", stated_to="2021-08")
    assert august == dated - NOT_IN_AUGUST_2021
    assert "taliban-panjshir-surrounded" in august
    assert "massoud-appeal-to-the-french" in august  # known to the month only
    assert id_set(client, "/v1/claims", stated_from="2021") == august
    assert id_set(client, "/v1/claims", stated_from="2021-08") == august
    assert id_set(client, "/v1/claims", stated_from="2021", stated_to="2021") == august
    assert id_set(client, "/v1/claims", stated_to="2020") == NOT_IN_AUGUST_2021
    assert id_set(client, "/v1/claims", stated_from="2021-09") == set()
    # `within`: only dates whose whole period lies inside the range; the month-only appeal
    # lies inside August, not inside one day of it.
    day = id_set(
        client, "/v1/claims", stated_from="2021-08-23", stated_to="2021-08-23", date_match="within"
    )
    assert "massoud-appeal-to-the-french" not in day
    assert "massoud-appeal-to-the-french" in id_set(
        client, "/v1/claims", stated_from="2021-08", stated_to="2021-08", date_match="within"
    )


@pytest.mark.parametrize("path", sorted(RANGES))
def test_a_period_is_its_first_day_from_and_its_last_day_to(client: TestClient, path: str) -> None:
    low, high = RANGES[path]
    month_from = id_set(client, path, **{low: "2021-08"})
    assert month_from == id_set(client, path, **{low: "2021-08-01"})
    assert month_from, f"{path}: the seed has items from August 2021"
    assert id_set(client, path, **{high: "2021-08"}) == id_set(client, path, **{high: "2021-08-31"})
    assert id_set(client, path, **{low: "2021", high: "2021"}) == id_set(
        client, path, **{low: "2021-01-01", high: "2021-12-31"}
    )
    # A month and its last day: the same period end, so never "before" its start.
    assert client.get(path, params={low: "2021-08-31", high: "2021-08"}).status_code == 200


@pytest.mark.parametrize("path", sorted(RANGES))
def test_a_bound_that_is_no_period_or_ends_before_it_starts_is_a_400(
    client: TestClient, path: str
) -> None:
    low, high = RANGES[path]
    for wrong in ("2021-13", "2021-8", "202", "August"):
        body = assert_problem(client.get(path, params={low: wrong}), 400, parameter=low)
        assert "YYYY-MM-DD, YYYY-MM or YYYY" in body["detail"]
    body = assert_problem(client.get(path, params={high: "2021-02-29"}), 400, parameter=high)
    assert body["detail"].endswith(f"'{high}': '2021-02-29' is not a day of the calendar")
    body = assert_problem(
        client.get(path, params={low: "2021-09", high: "2021-08"}), 400, parameter=high
    )
    assert "2021-08-31" in body["detail"]
    assert "2021-09-01" in body["detail"]


def test_facets_and_exports_take_periods_too(client: TestClient) -> None:
    facets = client.get("/v1/claims/facets", params={"stated_from": "2021-08"}).json()
    assert facets["total"] == len(id_set(client, "/v1/claims", stated_from="2021-08-01"))
    exported = client.get(
        "/v1/events/export", params={"date_from": "2021", "date_to": "2021", "format": "ndjson"}
    )
    assert exported.status_code == 200
    lines = [line for line in exported.text.splitlines() if line]
    assert len(lines) == len(id_set(client, "/v1/events", date_from="2021-01-01"))
