"""Caption paragraphs proposed as media items (app.drafting.captions)."""

import datetime as dt
from pathlib import Path

import yaml

from app.core.spans import TextIndex
from app.drafting.captions import find_captions
from app.drafting.draft import make_draft

ROOT = Path(__file__).resolve().parents[1]


def test_each_rule_finds_its_caption() -> None:
    text = (
        "A title without a full stop\n"
        "A headline, long, without one either\n"
        "The story begins here.\n"
        "PANJSHIR VALLEY: Fighters prepare their positions.\n"
        "Ahmad Massoud (left) with his father (right).\n"
        "Video: the convoy on the road.\n"
        "Afghan resistance fighters in the valley on Sunday\n"
        "Source: Read Full Article\n"
        "The story goes on, as stories do.\n"
    )
    found = [(text[c.start : c.end], c.kind) for c in find_captions(text)]
    assert found == [
        ("PANJSHIR VALLEY: Fighters prepare their positions.", "photo"),
        ("Ahmad Massoud (left) with his father (right).", "photo"),
        ("Video: the convoy on the road.", "video"),
        ("Afghan resistance fighters in the valley on Sunday", "photo"),
    ]


def test_the_seeds_captions() -> None:
    """Reached on 2026-12-05: 13 of the seed's 17 media captions found exactly (the rest run
    over two paragraphs or are tweets), and nothing proposed that is not one."""
    bundle = yaml.safe_load((ROOT / "seed" / "000_panjshir-last-bastion.yaml").read_text("utf-8"))
    text = (ROOT / "seed" / "texts" / "000_54838b346df77719.txt").read_text(encoding="utf-8")
    index = TextIndex(text)
    gold = set()
    for item in bundle["media"]:
        span = index.locate(item["caption"], occurrence=item.get("occurrence"))
        gold.add((span.start, span.end))
    found = {(c.start, c.end) for c in find_captions(text)}
    assert len(found & gold) >= 13
    assert found <= gold


def test_bylines_subheadings_and_a_live_blogs_entry_headings_are_not_captions() -> None:
    text = (
        "A live blog about the war\n\n"
        "Rebels push on, the army holds\n\n"
        "By DANIEL WHITCOMBE, FOREIGN CORRESPONDENT\n\n"
        "The story begins here.\n\n"
        "14:05 GMT\n\n"
        "Aid convoy turned back\n\n"
        "A convoy was stopped at the checkpoint.\n\n"
        "AID AGENCIES WARN\n\n"
        "Tom Weller, Velmora correspondent\n\n"
        "Smoke rises over Tesk after shelling this morning. Photograph: Dario Lenz/Reuters\n\n"
        "KORVAL PASS: The road lies 40 miles north of the capital\n\n"
        "Footage shared by the ministry shows troops firing mortars\n"
    )
    found = [(text[c.start : c.end], c.kind, c.rule) for c in find_captions(text)]
    assert found == [
        (
            "Smoke rises over Tesk after shelling this morning. Photograph: Dario Lenz/Reuters",
            "photo",
            "a picture's credit",
        ),
        (
            "KORVAL PASS: The road lies 40 miles north of the capital",
            "map",
            "a caption lead in capitals",
        ),
        (
            "Footage shared by the ministry shows troops firing mortars",
            "video",
            "a short line without a full stop",
        ),
    ]


def test_a_tweet_set_apart_is_a_media_item_linked_to_its_claim() -> None:
    text = (
        "A title\n\nA headline\n\n"
        "Its spokeswoman, Lena Sarova, tweeted last night:\n\n"
        "‘Korval has not fallen. Our fighters hold the ridges.’\n\n"
        "The Northern Alliance tweeted: ‘Support arrived this morning.’\n\n"
        "Osk is free. Our units entered the village at dawn.\n\n"
        "— Dhalar Liberation Front (@DLF_Press) February 14, 2026\n"
    )
    draft = make_draft(text, published=dt.date(2026, 2, 16), actors=[])
    claims = {claim["id"]: claim for claim in draft.bundle["claims"]}
    tweets = [
        (m["caption"], m["kind"], claims[m["claim"]]["claimant"]) for m in draft.bundle["media"]
    ]
    assert tweets == [
        ("‘Korval has not fallen. Our fighters hold the ridges.’", "tweet", "lena-sarova"),
        ("‘Support arrived this morning.’", "tweet", "northern-alliance"),
        ("Osk is free. Our units entered the village at dawn.", "tweet", "dhalar-liberation-front"),
    ]
    post = next(c for c in claims.values() if c["quote"].startswith("Osk is free"))
    assert (post["channel"], post["stated_on"]) == ("tweet", "2026-02-14")
