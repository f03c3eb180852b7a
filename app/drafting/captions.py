"""Captions: paragraphs that describe a photo, video or map rather than tell the story, as
news sites print them beside the pictures. Each becomes a proposed media item, its kind a
guess marked for a person.

- MailOnline's caption lead: a place or subject in capitals, then a colon
  (`PANJSHIR VALLEY: The Northern Alliance prepare …`);
- a picture's credit (`Photograph: Dario Lenz/Reuters`);
- who stands where in the picture: `(left)`, `(right)`, `(centre)`, `(pictured)`, `(above)`;
- `Pictured:`, `Above:`, `Below:`, `Video:`, `Map:` as the paragraph's first word;
- a short paragraph without closing punctuation (`Afghan resistance fighters in the Panjshir
  Valley on Sunday`), after the title and the headline and not the page's furniture
  (`Source: Read Full Article`, a byline, a subheading in capitals, a live blog's entry
  heading after its timestamp): less sure.
"""

import re
from dataclasses import dataclass

from app.drafting.quotes import paragraphs

_LEAD = re.compile(r"^[A-Z][A-Z'’ .-]{2,60}:\s+\S")
_POSITION = re.compile(
    r"\((?:left|right|centre|center|pictured(?: [a-z]+)?|above|below|top|bottom)\)"
)
_LABEL = re.compile(r"^(?P<label>Pictured|Above|Below|Video|Map|Photo|Watch)\s*:", re.IGNORECASE)
# A picture's credit, wherever it stands: "… this morning. Photograph: Dario Lenz/Reuters".
_CREDIT = re.compile(r"\b(?:Photograph|Photo|Picture|Image)(?:\s+credit)?\s*:\s+[A-Z]")
_KINDS = {"video": "video", "watch": "video", "map": "map"}
# A short paragraph with no closing punctuation, between two that tell the story: what a
# caption under a picture looks like once the page is flattened to text.
_SHORT_WORDS = 30
# A page's furniture, not a caption: sources, bylines, sign-offs, greetings.
_FURNITURE = re.compile(
    r"^(?:Source|Read more|Advertisement|Share|Related|By|Summary|Analysis|Good morning|"
    r"Good evening|That's all|That’s all|Welcome|Updated)\b"
    r"|\b(?:correspondent|reporter|editor|reporting)\b",
    re.IGNORECASE,
)
# A live blog's timestamp ("14:05 GMT", "09:12"): the short line after it is the entry's
# heading, not a caption.
_TIMESTAMP = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*(?:GMT|BST|UTC|CET|EST|local(?: time)?))?$")
_ENDS = (".", "!", "?", "’", "”", "'", '"', ":", ";", ",")


@dataclass(frozen=True, slots=True)
class Caption:
    start: int
    end: int
    kind: str
    rule: str
    confidence: float


_VIDEO = re.compile(r"\b(?:footage|video|filmed|clip)\b", re.IGNORECASE)
# What a map's caption says: where a place lies, how far, which way.
_MAP = re.compile(
    r"\b(?:lies|miles|km|kilometres|kilometers|route|stretches|(?:north|south|east|west) of)\b"
)


def _kind(words: str, kind: str, lead: bool) -> str:
    """A caption's kind, from its words where its rule does not say: footage is a video; a
    caption lead that says where a place lies and how far is a map's."""
    if kind != "photo":
        return kind
    if _VIDEO.search(words):
        return "video"
    if lead and _MAP.search(words):
        return "map"
    return kind


def find_captions(text: str) -> list[Caption]:
    """Every caption paragraph of `text`, in order, each with its kind guessed."""
    return [
        Caption(
            c.start,
            c.end,
            _kind(text[c.start : c.end], c.kind, _LEAD.match(text[c.start : c.end]) is not None),
            c.rule,
            c.confidence,
        )
        for c in _captions(text)
    ]


def _captions(text: str) -> list[Caption]:
    found: list[Caption] = []
    previous = ""
    for number, (start, end) in enumerate(paragraphs(text)):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        words = text[start:end]
        after_timestamp = bool(_TIMESTAMP.match(previous))
        previous = words
        label = _LABEL.match(words)
        if label is not None:
            kind = _KINDS.get(label.group("label").lower(), "photo")
            found.append(Caption(start, end, kind, f"'{label.group('label')}:' opens it", 0.8))
        elif _LEAD.match(words):
            found.append(Caption(start, end, "photo", "a caption lead in capitals", 0.7))
        elif _CREDIT.search(words):
            found.append(Caption(start, end, "photo", "a picture's credit", 0.7))
        elif _POSITION.search(words):
            found.append(Caption(start, end, "photo", "who stands where in a picture", 0.6))
        elif (
            number > 1  # the title and the headline come first
            and not after_timestamp
            and not _FURNITURE.search(words)
            and not words.isupper()  # a subheading ("AID AGENCIES WARN")
            and words[:1].isupper()
            and not words.endswith(_ENDS)
            and len(words.split()) <= _SHORT_WORDS
        ):
            found.append(Caption(start, end, "photo", "a short line without a full stop", 0.5))
    return found
