"""Who said it, and how: the attribution of direct quotations (app.drafting.quotes) and
indirect speech ("X said that …", "according to X, …"), with the channel and venue the cue
names.

- `“…,” he said` / `“…,” said Massoud` / `“…,” Massoud told Reuters`: the cue after the
  closing mark, in the same sentence.
- `Massoud said: “…”` / `He told Reuters: ‘…’` / `The ministry said in a statement: “…”`: the
  cue before the opening mark.
- A quotation split by its cue (`“We will fight,” he said, “to the end.”`) is one claim: the
  second part takes the first's speaker.
- Channels: `told Reuters`, `in an interview with Reuters` → an interview, Reuters the venue;
  `tweeted`, `wrote on Twitter`, `in a tweet` → a tweet; `said in a statement` → a statement;
  `posted on Facebook` (Telegram, Instagram …) → a social media post; otherwise unspecified,
  for a person to say.

A speaker is the words that name it: a name (`Ahmad Massoud`), a pronoun (`he`) or a role
(`the spokesman`, `a Taliban commander`, `the ministry`); resolving pronouns and roles to an
actor is the draft's work (app.drafting.draft), which knows the actors.
"""

import re
from dataclasses import dataclass

from app.drafting.quotes import Quotation, find_quotations

VERBS = (
    "said|says|told|tells|added|adds|tweeted|wrote|writes|warned|warns|insisted|insists|"
    "claimed|claims|vowed|vows|stated|declared|announced|announces|explained|posted|posts|"
    "continued|replied|urged|urges|argued|confirmed|confirms|denied|denies|promised|"
    "tweeting|saying|writing|adding|telling|warning|insisting|posting"
)
# How far around a quotation its cue is looked for: a sentence's worth, never the whole text.
CUE_WINDOW = 300
_NAME_WORD = r"[A-Z][\w’'.-]*"
# At most five words: a name, never a run of capitalised words (which would backtrack).
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|al|bin|ibn|de|van|von|la|el)){{0,4}}"
_ROLE_NOUNS = (
    "spokesman|spokeswoman|spokesperson|ministry|minister|official|officials|aide|"
    "commander|source|sources|leader|group|militia|government|army|police|president|general|"
    "statement|movement|office|embassy|witness|witnesses|resident|residents|officer|"
    "officers|rebels|fighters|troops|forces|insurgents|agencies|agency|observers|monitors|"
    "doctors|doctor|medics|nurse|activists|diplomat|diplomats|mediators|authorities|"
    "observatory|charity|council|delegation|envoy|mayor|governor|analyst|analysts|expert|"
    "experts|military|regime|junta|coalition|alliance|manager|director|head|chief|"
    "coordinator|surgeon|spokespeople"
)
_DETERMINER = r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)"
_ROLE = rf"{_DETERMINER}\s+(?:[\w’'-]+\s+){{0,3}}?(?:{_ROLE_NOUNS})\b"
# "Varkesh’s defence ministry", "Aid agencies", "Rebel fighters in Varkesh": a role with no
# determiner, after a possessive or capitalised first.
_BARE_ROLE = (
    rf"(?:{_NAME_WORD}[’']s\s+(?:[\w-]+\s+){{0,2}}?|{_NAME_WORD}\s+(?:[a-z-]+\s+)?)"
    rf"(?:{_ROLE_NOUNS})\b(?:\s+in\s+{_NAME_WORD})?"
    rf"|(?:Rebels|Officials|Troops|Insurgents|Militants|Fighters|Residents|Witnesses)\b"
)
_PRONOUN = r"(?:he|she|they|it|we|I|He|She|They|It|We)"
# "DPF spokesman Nadir Kestel", "rebel commander Arman Keshevi": a role before a name.
_TITLED = rf"(?:{_NAME_WORD}\s+)?(?:[a-z]+\s+){{0,2}}(?:{_ROLE_NOUNS})\s+{_NAME}"
# A name may carry its initials: "The Dunmar Liberation Army (DLA)".
SPEAKER = (
    rf"(?:{_TITLED}|{_ROLE}|{_BARE_ROLE}|{_PRONOUN}|(?:[Tt]he\s+)?{_NAME}(?:\s+\([A-Z]{{2,8}}\))?)"
    rf"(?:\s+who\s+[a-z][^,.;!?“”‘\"]{{0,60}}?(?=\s+(?:{VERBS})\b))?"
)
# A speaker with an aside between commas: "Johanna Lind, a spokeswoman for the U.N. office,"
# or "the movement's commander, Nuri Sadek,". At most 150 characters, in one sentence.
_ASIDE = r"(?:,\s+[^,!?\n]{1,150}?,)?"
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "I", "He", "She", "They", "It", "We"})

_AFTER = re.compile(
    rf"^[\s,—–-]*(?:(?P<speaker>{SPEAKER}{_ASIDE})\s+(?P<verb>{VERBS})\b|(?P<verb2>said|says|added|adds|told|tweeted|wrote|insisted|warned)\s+(?P<speaker2>{SPEAKER}))(?P<rest>[^.!?\n“‘\"]*)"
)
_BEFORE = re.compile(
    rf"(?P<speaker>{SPEAKER}{_ASIDE})\s+(?P<verb>{VERBS})\b(?P<rest>[^.!?\n“”‘\"]*?)[:,]?\s*$"
)
# "The Northern Alliance shared video of the valley today, tweeting: ‘…’": the subject
# opens the sentence, a participle after a comma introduces the quotation.
_PARTICIPLE = re.compile(
    rf"^\s*(?P<speaker>{SPEAKER})\b[^.!?\n“”‘\"]*?,\s*(?P<verb>tweeting|saying|adding|"
    rf"writing|posting|insisting|warning)\b(?P<rest>[^.!?\n“”‘\"]*?)[:,]?\s*$"
)
_OUTLET = r"(?P<venue>(?:the\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)"
_TOLD = re.compile(rf"\btold\s+{_OUTLET}")
_INTERVIEW = re.compile(rf"\bin an interview with\s+{_OUTLET}")
_SPEAKING = re.compile(rf"\b(?:[Ss]peaking|[Tt]alking) to\s+{_OUTLET}")
_APPEAL = re.compile(r"\b(?:an|the|his|her|their) appeal\b|\bappeal published\b")
_PLATFORM = re.compile(r"\bon (?P<platform>Facebook|Telegram|Instagram|TikTok|YouTube|X)\b")


_LEADING = re.compile(r"^(?:Later|And|But|Then|Meanwhile|However|Now|So|Yet|Also),?\s+")


_NAME_ONLY = re.compile(rf"(?:[Tt]he\s+)?{_NAME}")
_ROLE_THEN_NAME = re.compile(rf"\b(?:{_ROLE_NOUNS})\s+(?P<name>{_NAME})$")


def _speaker(words: str) -> str:
    """The words that name the speaker: without the sentence's full stop (`said Ahmad
    Massoud.`) or a word that opens the sentence (`Later Massoud`); of a role and a name
    (`DPF spokesman Nadir Kestel`, `the commander, Nuri Sadek,`), the name."""
    # Initials after the name ("the Dunmar Liberation Army (DLA)"), or a `who` clause.
    words = re.sub(r"\s+\([A-Z]{2,8}\)(?=,|$)|\s+who\s.*$", "", words.rstrip(".,"))
    head, _, aside = (part.strip() for part in words.partition(","))
    aside = aside.rstrip(",").strip()
    if aside and _NAME_ONLY.fullmatch(aside):
        # A role, then the name in the aside; or, of two names, the aside's ("the
        # coordinator for Velmora, Mirela Castell, said"): the first is what the role is of.
        head = aside
    titled = _ROLE_THEN_NAME.search(head)
    if titled is not None:
        head = titled.group("name")
    trimmed = _LEADING.sub("", head)
    return trimmed or head


def named(words: str, at: int) -> tuple[str, int]:
    """The speaker `_speaker` reads in `words` (found at `at`), and where it stands."""
    speaker = _speaker(words)
    where = words.find(speaker)
    return speaker, at + max(where, 0)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who said a quotation, and how: `speaker` is the words naming it (at `speaker_at`)."""

    speaker: str
    speaker_at: int
    verb: str
    channel: str
    venue: str | None
    confidence: float
    rule: str
    # Where the cue's words end, when known (indirect speech): a stated date is read from
    # `speaker_at` to here, never from the claim's own words.
    cue_end: int | None = None


@dataclass(frozen=True, slots=True)
class Speech:
    """A claim's words: their span, whether quoted (`direct`), and who said them."""

    start: int
    end: int
    direct: bool
    attribution: Attribution | None
    confidence: float
    rule: str


def channel_of(verb: str, rest: str) -> tuple[str, str | None, str]:
    """(channel, venue, why) from the cue's verb and the words after it."""
    told = _TOLD.search(f"{verb} {rest}")
    if told is not None:
        return "interview", told.group("venue"), f"'told {told.group('venue')}'"
    interview = _INTERVIEW.search(rest) or _SPEAKING.search(rest)
    if interview is not None:
        return "interview", interview.group("venue"), f"'{interview.group(0)}'"
    if _APPEAL.search(rest):
        return "published_appeal", None, "an appeal"
    if verb in ("tweeted", "tweeting") or re.search(r"\b(on Twitter|in a tweet)\b", rest):
        return "tweet", None, "a tweet"
    if re.search(r"\bin a (written )?statement\b", rest):
        return "statement", None, "'in a statement'"
    platform = _PLATFORM.search(rest)
    if verb in ("posted", "posts", "wrote") and platform is not None:
        return "social_media_post", None, f"posted on {platform.group('platform')}"
    return "unspecified", None, "no channel in the cue"


def _sentence_before(text: str, at: int) -> int:
    """Where the sentence holding `at` begins (after the last full stop or line break), at
    most CUE_WINDOW characters back."""
    floor = max(0, at - CUE_WINDOW)
    return max(floor, *(text.rfind(mark, floor, at) + 1 for mark in ".!?\n"))


def attribute(text: str, quotation: Quotation) -> Attribution | None:
    """Who said `quotation`, from the cue after its closing mark or before its opening one."""
    line_end = text.find("\n", quotation.closed, quotation.closed + CUE_WINDOW)
    stop = line_end if line_end != -1 else min(len(text), quotation.closed + CUE_WINDOW)
    after = text[quotation.closed + 1 : stop]
    found = _AFTER.match(after)
    ended = text[quotation.end - 1 : quotation.end] in (".", "!", "?")
    introduces = found is not None and (
        found.group("rest").rstrip().endswith(":") or after[found.end() :].lstrip()[:1] == ":"
    )
    if found is not None and ended and introduces:
        found = None  # the next sentence's cue, introducing the next quotation
    if found is not None:
        speaker = found.group("speaker") or found.group("speaker2")
        verb = found.group("verb") or found.group("verb2")
        offset = (
            quotation.closed + 1 + found.start("speaker" if found.group("speaker") else "speaker2")
        )
        channel, venue, why = channel_of(verb, found.group("rest"))
        speaker, offset = named(speaker, offset)
        return Attribution(speaker, offset, verb, channel, venue, 0.9, f"cue after: {why}")
    begin = _sentence_before(text, quotation.opened)
    before = text[begin : quotation.opened]
    if not before.strip():
        # The quotation opens its paragraph: the cue may end the one before with a colon
        # ("The spokeswoman tweeted on Sunday:").
        gap = begin
        while gap > 0 and begin - gap < 4 and text[gap - 1].isspace():
            gap -= 1
        if gap > 0 and text[gap - 1] == ":":
            begin = _sentence_before(text, gap - 1)
            before = text[begin:gap]
    found = _PARTICIPLE.match(before) or _BEFORE.search(before)
    if found is not None:
        # The whole sentence before the quotation may name the channel ("Speaking to
        # Politico …, Lévy said:").
        context = f"{before[: found.start()]} {found.group('rest')}"
        channel, venue, why = channel_of(found.group("verb"), context)
        speaker, offset = named(found.group("speaker"), begin + found.start("speaker"))
        return Attribution(
            speaker,
            offset,
            found.group("verb"),
            channel,
            venue,
            0.85,
            f"cue before: {why}",
        )
    return None


def find_direct(text: str) -> list[Speech]:
    """Every direct quotation with its attribution (split quotations joined), in the
    text's order."""
    found: list[Speech] = []
    quotations = find_quotations(text)
    previous: Attribution | None = None
    previous_end = -1
    for quotation in quotations:
        attribution = attribute(text, quotation)
        rule = quotation.rule
        if attribution is None and previous is not None and _joined(text, previous_end, quotation):
            attribution, rule = previous, f"{rule}; the second part of a split quotation"
        if (
            attribution is not None
            and attribution.rule.startswith("cue before")
            and len(text[quotation.start : quotation.end].split()) <= 2
            and not text[max(0, quotation.opened - 3) : quotation.opened].strip().endswith(":")
        ):
            # `called them ‘terrorists’`, `known as ‘the Lion’`: a term, not a claim (a colon
            # introduces speech, however short: `urged the French: ‘Join us.’`).
            attribution, rule = None, f"{rule}; a word or two in quotation marks: a term"
        for start, end in quotation.parts(text):
            found.append(
                Speech(
                    start,
                    end,
                    True,
                    attribution,
                    quotation.confidence if attribution else min(quotation.confidence, 0.4),
                    rule if attribution else f"{rule}; no speaker found",
                )
            )
        previous, previous_end = attribution, quotation.closed
    return sorted(found, key=lambda speech: speech.start)


def _joined(text: str, previous_end: int, quotation: Quotation) -> bool:
    """The quotation continues the one closed at `previous_end`: only its cue between them
    (`“We will fight,” he said, “to the end.”`)."""
    if previous_end < 0:
        return False
    between = text[previous_end + 1 : quotation.opened]
    if "\n" in between:
        return False
    cue = _AFTER.match(between)
    # Only the cue between them, ending the sentence or not: `“…,” she said. “…”`.
    return cue is not None and not between[cue.end() :].strip(" .,;:\u00a0")
