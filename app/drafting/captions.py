"""Captions: paragraphs that describe a photo, video or map rather than tell the story, as
news sites print them beside the pictures. Each becomes a proposed media item, its kind a
guess marked for a person.

- MailOnline's caption lead: a place or subject in capitals, then a colon
  (`PANJSHIR VALLEY: The Northern Alliance prepare …`);
- who stands where in the picture: `(left)`, `(right)`, `(centre)`, `(pictured)`, `(above)`;
- `Pictured:`, `Above:`, `Below:`, `Video:`, `Map:` as the paragraph's first word;
- a short paragraph without closing punctuation (`Afghan resistance fighters in the Panjshir
  Valley on Sunday`), after the title and the headline and not the page's furniture
  (`Source: Read Full Article`): less sure.
"""

import re
from dataclasses import dataclass

from app.drafting.quotes import paragraphs

_LEAD = re.compile(r"^[A-Z][A-Z'’ .-]{2,60}:\s+\S")
_POSITION = re.compile(
    r"\((?:left|right|centre|center|pictured(?: [a-z]+)?|above|below|top|bottom)\)"
)
_LABEL = re.compile(r"^(?P<label>Pictured|Above|Below|Video|Map|Photo|Watch)\s*:", re.IGNORECASE)
_KINDS = {"video": "video", "watch": "video", "map": "map"}
# A short paragraph with no closing punctuation, between two that tell the story: what a
# caption under a picture looks like once the page is flattened to text.
_SHORT_WORDS = 30
# A page's furniture, not a caption.
_FURNITURE = re.compile(r"^(Source|Read more|Advertisement|Share|Related)\b", re.IGNORECASE)
_ENDS = (".", "!", "?", "’", "”", "'", '"', ":", ";", ",")


@dataclass(frozen=True, slots=True)
class Caption:
    start: int
    end: int
    kind: str
    rule: str
    confidence: float


def find_captions(text: str) -> list[Caption]:
    """Every caption paragraph of `text`, in order."""
    found: list[Caption] = []
    for number, (start, end) in enumerate(paragraphs(text)):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        words = text[start:end]
        label = _LABEL.match(words)
        if label is not None:
            kind = _KINDS.get(label.group("label").lower(), "photo")
            found.append(Caption(start, end, kind, f"'{label.group('label')}:' opens it", 0.8))
        elif _LEAD.match(words):
            found.append(Caption(start, end, "photo", "a caption lead in capitals", 0.7))
        elif _POSITION.search(words):
            found.append(Caption(start, end, "photo", "who stands where in a picture", 0.6))
        elif (
            number > 1  # the title and the headline come first
            and not _FURNITURE.match(words)
            and words[:1].isupper()
            and not words.endswith(_ENDS)
            and len(words.split()) <= _SHORT_WORDS
        ):
            found.append(Caption(start, end, "photo", "a short line without a full stop", 0.5))
    return found
