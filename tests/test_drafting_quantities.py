"""The numbers a claim states, with their words (app.drafting.quantities)."""

import pytest

from app.drafting.quantities import find_quantities


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("sending hundreds of fighters", [(200, "fighters", "at_least", "hundreds of fighters")]),
        (
            "at least 40 fighters were killed",
            [(40, "fighters", "at_least", "at least 40 fighters")],
        ),
        ("two dozen tanks", [(24, "tanks", "exact", "two dozen tanks")]),
        ("1,200 families fled", [(1200, "families", "exact", "1,200 families")]),
        ("retaken three districts", [(3, "districts", "exact", "three districts")]),
        ("50 Taliban fighters", [(50, "fighters", "exact", "50 Taliban fighters")]),
        ("about 100 miles north", [(100, "miles", "approximately", "about 100 miles")]),
        ("two hundred and fifty men", [(250, "men", "exact", "two hundred and fifty men")]),
        ("dozens of villages", [(24, "villages", "at_least", "dozens of villages")]),
        ("more than 3,000 people", [(3000, "people", "more_than", "more than 3,000 people")]),
        ("up to 20 helicopters", [(20, "helicopters", "at_most", "up to 20 helicopters")]),
    ],
)
def test_quantities_and_their_words(
    words: str, expected: list[tuple[float, str, str, str]]
) -> None:
    found = [(q.value, q.unit, q.qualifier, q.text) for q in find_quantities(words)]
    assert found == expected
    for quantity in find_quantities(words):
        assert words[quantity.start : quantity.end] == quantity.text


@pytest.mark.parametrize(
    "words", ["in 2015 he graduated", "he was 12 when", "at 9 am", "since 2001 was hard"]
)
def test_years_ages_and_times_are_not_quantities(words: str) -> None:
    assert find_quantities(words) == []
