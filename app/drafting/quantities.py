"""The numbers a claim states, with their words: "at least 40 fighters", "hundreds of
fighters", "two dozen tanks", "1,200 families", "three districts".

Number words are read by `text2num` (a maintained parser of spelled-out numbers: "two
hundred and fifty" is 250); what it does not cover, news conventions, are rules here:
"a dozen" / "two dozen" (12, 24), "dozens" (at least 24), "hundreds" (at least 200),
"thousands" (at least 2,000), "tens of thousands" (at least 20,000), as the seed's bundle
counts "hundreds of fighters". A qualifier before the number says how it is meant ("at
least", "more than", "about", "up to"). What is counted is the noun after the number; the
draft marks it for a person to name better ("Taliban fighters killed").

Years ("in 2015", "since 2001"), ordinals and times are not quantities.
"""

import re
from dataclasses import dataclass

from text_to_num import text2num

_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred|thousand|million"
)
# At most nine words ("two hundred and fifty thousand three hundred"): a longer run is
# no number, and an unbounded one made every start rescan it (quadratic).
_SPELLED = rf"(?:(?:{_WORDS})(?:[\s-]+(?:and\s+)?(?:{_WORDS})){{0,8}})"
_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_VAGUE = {
    "dozens": 24.0,
    "scores": 40.0,
    "hundreds": 200.0,
    "thousands": 2000.0,
    "tens of thousands": 20000.0,
    "hundreds of thousands": 200000.0,
    "millions": 2000000.0,
}
_QUALIFIERS = {
    "at least": "at_least",
    "more than": "more_than",
    "over": "more_than",
    "about": "approximately",
    "around": "approximately",
    "some": "approximately",
    "nearly": "approximately",
    "almost": "approximately",
    "roughly": "approximately",
    "an estimated": "approximately",
    "up to": "at_most",
    "as many as": "at_most",
}
_QUALIFIER = "|".join(sorted(_QUALIFIERS, key=len, reverse=True))
_NUMBER = (
    rf"(?P<vague>tens of thousands|hundreds of thousands|dozens|scores|hundreds|thousands|"
    rf"millions)(?:\s+of)?"
    rf"|(?P<dozen>(?:a|one|two|three|four|five|half a)\s+dozen)"
    rf"|(?P<digits>{_DIGITS})"
    rf"|(?P<spelled>{_SPELLED})"
)
# What is counted: a plural noun, after at most one word ("50 Taliban fighters").
_IRREGULAR = r"men|women|people|children|police|personnel|staff|aircraft|cattle"
_NOUN = rf"(?P<noun>(?:[A-Za-z][\w-]*\s+)??(?:{_IRREGULAR}|[a-z][\w-]*s)\b)"
_QUANTITY = re.compile(
    rf"(?<![\w,.])(?:(?P<qualifier>{_QUALIFIER})\s+)?(?:{_NUMBER})\s+{_NOUN}", re.IGNORECASE
)
# After these, a four-digit number is a year.
_YEAR_BEFORE = re.compile(r"\b(in|since|of|from|until|by|during)\s+$", re.IGNORECASE)
# Words ending in `s` that count nothing.
_NOT_UNITS = frozenset(
    {
        "was",
        "has",
        "is",
        "his",
        "its",
        "this",
        "us",
        "as",
        "across",
        "perhaps",
        "whereas",
        "always",
        "plus",
        "thus",
        "yes",
        "besides",
        "towards",
        "afterwards",
        "does",
        "goes",
    }
)
_DOZENS = {"a": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "half a": 0.5}


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str
    qualifier: str
    text: str
    start: int
    end: int
    rule: str


def find_quantities(words: str) -> list[Quantity]:
    """The quantities `words` state, in order."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(words):
        noun = match.group("noun")
        if noun.split()[-1].lower() in _NOT_UNITS:
            continue
        qualifier = _QUALIFIERS.get((match.group("qualifier") or "").lower(), "exact")
        value: float | None
        if match.group("vague"):
            value = _VAGUE[match.group("vague").lower()]
            qualifier, rule = "at_least", f"'{match.group('vague')}': at least {value:,.0f}"
        elif match.group("dozen"):
            value = 12 * _DOZENS[match.group("dozen").lower().removesuffix(" dozen").strip()]
            rule = "a number of dozens"
        elif match.group("digits"):
            digits = match.group("digits")
            value = float(digits.replace(",", ""))
            before = words[: match.start("digits")]
            if len(digits) == 4 and 1800 <= value <= 2100 and _YEAR_BEFORE.search(before):
                continue  # a year
            rule = "digits"
        else:
            try:
                value = float(text2num(match.group("spelled").lower(), "en"))
            except ValueError:
                continue
            rule = "spelled out (text2num)"
        unit = noun.split()[-1].lower()
        found.append(
            Quantity(value, unit, qualifier, match.group(0), match.start(), match.end(), rule)
        )
    return found
