"""Who said what, and how: each cue of direct and indirect speech, with exact spans
(app.drafting.speech)."""

import pytest

from app.drafting.indirect import find_speech

# (text, [(words, direct, speaker, channel, venue)])
CASES = {
    "said-after-pronoun": (
        "“We will not surrender,” he said.",
        [("We will not surrender,", True, "he", "unspecified", None)],
    ),
    "said-after-inverted": (
        "“The valley will not fall,” said Ahmad Massoud.",
        [("The valley will not fall,", True, "Ahmad Massoud", "unspecified", None)],
    ),
    "told-reuters": (
        "“No Taliban fighter will pass,” Massoud told Reuters on Sunday.",
        [("No Taliban fighter will pass,", True, "Massoud", "interview", "Reuters")],
    ),
    "told-before-colon": (
        "He told Reuters: ‘We are ready.’",
        [("We are ready.", True, "He", "interview", "Reuters")],
    ),
    "interview-with": (
        "Massoud said in an interview with Paris Match: “France must help us.”",
        [("France must help us.", True, "Massoud", "interview", "Paris Match")],
    ),
    "tweeted": (
        "The Northern Alliance tweeted: ‘Taliban attacked us at the gate.’",
        [("Taliban attacked us at the gate.", True, "The Northern Alliance", "tweet", None)],
    ),
    "wrote-on-twitter": (
        "Mujahid wrote on Twitter: “Our forces are near.”",
        [("Our forces are near.", True, "Mujahid", "tweet", None)],
    ),
    "statement": (
        "The ministry said in a statement: “All provinces are calm.”",
        [("All provinces are calm.", True, "The ministry", "statement", None)],
    ),
    "posted-on-telegram": (
        "The group posted on Telegram: ‘Victory is near.’",
        [("Victory is near.", True, "The group", "social_media_post", None)],
    ),
    "role-speaker": (
        "‘We have no choice,’ one aide said.",
        [("We have no choice,", True, "one aide", "unspecified", None)],
    ),
    "split-quote": (
        "“We will fight,” he said, “to the end.”",
        [
            ("We will fight,", True, "he", "unspecified", None),
            ("to the end.", True, "he", "unspecified", None),
        ],
    ),
    "said-that": (
        "The Taliban said that they had surrounded the Panjshir.",
        [
            (
                "The Taliban said that they had surrounded the Panjshir",
                False,
                "The Taliban",
                "unspecified",
                None,
            )
        ],
    ),
    "told-that": (
        "Massoud told Reuters that no fighter would pass.",
        [
            (
                "Massoud told Reuters that no fighter would pass",
                False,
                "Massoud",
                "interview",
                "Reuters",
            )
        ],
    ),
    "according-to-first": (
        "According to the Taliban, three districts were retaken.",
        [
            (
                "According to the Taliban, three districts were retaken",
                False,
                "the Taliban",
                "unspecified",
                None,
            )
        ],
    ),
    "according-to-last": (
        "Three districts were retaken, according to the Taliban.",
        [
            (
                "Three districts were retaken, according to the Taliban",
                False,
                "the Taliban",
                "unspecified",
                None,
            )
        ],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_cue_gives_its_span_speaker_and_channel(name: str) -> None:
    text, expected = CASES[name]
    found = [
        (
            text[speech.start : speech.end],
            speech.direct,
            speech.attribution.speaker if speech.attribution else None,
            speech.attribution.channel if speech.attribution else None,
            speech.attribution.venue if speech.attribution else None,
        )
        for speech in find_speech(text)
    ]
    assert found == expected
    for speech in find_speech(text):
        assert speech.attribution is not None
        at = speech.attribution.speaker_at
        assert text[at : at + len(speech.attribution.speaker)] == speech.attribution.speaker


def test_a_quotation_without_a_speaker_is_kept_unsure() -> None:
    text = "The sign read: ‘Welcome to the valley of the five lions.’ Nobody spoke."
    [speech] = find_speech(text)
    assert speech.attribution is None
    assert speech.confidence < 0.5
    assert "no speaker found" in speech.rule


def test_a_quotation_is_never_also_indirect_speech() -> None:
    text = "He said that “the valley will not fall” and left."
    found = find_speech(text)
    assert [text[s.start : s.end] for s in found] == ["the valley will not fall"]
    assert found[0].direct


def test_more_cues_name_the_channel() -> None:
    cases = {
        "Speaking to Politico last week, Lévy said: ‘France must help.’": (
            "France must help.",
            "Lévy",
            "interview",
            "Politico",
        ),
        "In an appeal published in a French magazine, Massoud urged the French: ‘Join us.’": (
            "Join us.",
            "Massoud",
            "published_appeal",
            None,
        ),
        "The Northern Alliance shared video of the valley today, tweeting: ‘Look at it’": (
            "Look at it",
            "The Northern Alliance",
            "tweet",
            None,
        ),
    }
    for text, expected in cases.items():
        [speech] = find_speech(text)
        assert speech.attribution is not None
        found = (
            text[speech.start : speech.end],
            speech.attribution.speaker,
            speech.attribution.channel,
            speech.attribution.venue,
        )
        assert found == expected, text


def test_a_quotation_over_two_paragraphs_is_a_claim_per_paragraph() -> None:
    text = (
        "The Northern Alliance tweeted: ‘Earlier this morning, support arrived.\n"
        "\n"
        "‘The morale of the resistance is high.’\n"
    )
    found = find_speech(text)
    assert [text[s.start : s.end] for s in found] == [
        "Earlier this morning, support arrived.",
        "The morale of the resistance is high.",
    ]
    assert {s.attribution.speaker for s in found if s.attribution} == {"The Northern Alliance"}
    assert all(s.attribution and s.attribution.channel == "tweet" for s in found)
