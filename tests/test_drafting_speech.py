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
    "aside-after": (
        '"We have taken the bridge," Johanna Lind, a spokeswoman for the U.N. office in '
        "Karden, said on Tuesday.",
        [("We have taken the bridge,", True, "Johanna Lind", "unspecified", None)],
    ),
    "role-then-name-after": (
        '"Not one fighter has left," DPF spokesman Nadir Kestel told Northstar by telephone.',
        [("Not one fighter has left,", True, "Nadir Kestel", "interview", "Northstar")],
    ),
    "role-aside-name-before": (
        "The group’s spokeswoman, Lena Sarova, said: ‘The post is ours.’",
        [("The post is ours.", True, "Lena Sarova", "unspecified", None)],
    ),
    "two-names-the-asides": (
        "The UN’s coordinator for Velmora, Mirela Castell, said: “Let the convoy pass.”",
        [("Let the convoy pass.", True, "Mirela Castell", "unspecified", None)],
    ),
    "possessive-role": (
        "“The pass is ours,” Varkesh’s defence ministry said.",
        [("The pass is ours,", True, "Varkesh’s defence ministry", "unspecified", None)],
    ),
    "initials": (
        "The Dunmar Liberation Army (DLA) said: “We hold the ridge.”",
        [("We hold the ridge.", True, "The Dunmar Liberation Army", "unspecified", None)],
    ),
    "who-clause": (
        '"We will encircle it," a senior officer who asked not to be named told CPA.',
        [("We will encircle it,", True, "a senior officer", "interview", "CPA")],
    ),
    "cue-ends-the-paragraph-before": (
        "Its spokeswoman, Lena Sarova, tweeted last night:\n\n‘Korval is ours.’",
        [("Korval is ours.", True, "Lena Sarova", "tweet", None)],
    ),
    "resumed-after-the-cues-sentence": (
        '"We have taken the bridge," the commander said. "The road is open."',
        [
            ("We have taken the bridge,", True, "the commander", "unspecified", None),
            ("The road is open.", True, "the commander", "unspecified", None),
        ],
    ),
    "a-term-is-not-a-claim": (
        "The army called them ‘terrorists’ and moved on.",
        [("terrorists", True, None, None, None)],
    ),
    "indirect-cue-first-split-at-and": (
        "The army said on Tuesday it had retaken the bridge and killed at least 40 rebels.",
        [
            (
                "The army said on Tuesday it had retaken the bridge",
                False,
                "The army",
                "unspecified",
                None,
            ),
            ("and killed at least 40 rebels", False, "The army", "unspecified", None),
        ],
    ),
    "indirect-opening-words-and-adverb": (
        "But the Dunmar Liberation Army (DLA) flatly denied losing the pass.",
        [
            (
                "But the Dunmar Liberation Army (DLA) flatly denied losing the pass",
                False,
                "the Dunmar Liberation Army",
                "unspecified",
                None,
            )
        ],
    ),
    "indirect-cue-last": (
        "At least 19 people were killed in Brevik, a local official says.",
        [
            (
                "At least 19 people were killed in Brevik, a local official says",
                False,
                "a local official",
                "unspecified",
                None,
            )
        ],
    ),
    "indirect-according-to-a-named-role": (
        "The camp holds about 3,500 people, according to its manager, Dario Venn.",
        [
            (
                "The camp holds about 3,500 people, according to its manager, Dario Venn",
                False,
                "Dario Venn",
                "unspecified",
                None,
            )
        ],
    ),
    "indirect-in-a-statement": (
        "The ministry said in a statement that troops had entered Sorn at dawn.",
        [
            (
                "The ministry said in a statement that troops had entered Sorn at dawn",
                False,
                "The ministry",
                "statement",
                None,
            )
        ],
    ),
    "embedded-post": (
        "Osk is free. Our units entered the village at dawn.\n\n"
        "— Dhalar Liberation Front (@DLF_Press) February 14, 2026",
        [
            (
                "Osk is free. Our units entered the village at dawn.",
                False,
                "Dhalar Liberation Front",
                "tweet",
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
        if speech.attribution is None:
            continue
        at = speech.attribution.speaker_at
        assert text[at : at + len(speech.attribution.speaker)] == speech.attribution.speaker


def test_bullets_are_claims_and_the_title_headline_and_introducing_cues_are_not() -> None:
    text = (
        "Rebels seize the pass\n\n"
        "Rebels claim they have seized the pass as a nurse is trapped in the town\n\n"
        "  • Defence ministry says troops retook the post yesterday\n"
        "  • Turkey says both sides will send envoys\n\n"
        "The group’s spokeswoman, Lena Sarova, tweeted on Sunday morning:\n\n"
        "‘The post is ours.’\n"
    )
    found = [(text[s.start : s.end], s.direct) for s in find_speech(text)]
    assert found == [
        ("Defence ministry says troops retook the post yesterday", False),
        ("Turkey says both sides will send envoys", False),
        ("The post is ours.", True),
    ]


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
