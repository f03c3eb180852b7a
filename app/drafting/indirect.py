"""Indirect speech: claims reported without quotation marks, each the whole sentence that
reports it (the house's convention, and what a reader checks), split where one sentence
joins two claims with `and`.

- The cue first: `The army said (that) …`, `Col Marek told a briefing that …`, `The DLF
  denies withdrawing, saying …`, `According to the UN, …`; after words that open a sentence
  (`But`, `On Saturday`, `Earlier,`).
- The cue last: `…, a local official says.`, `…, he said, while …`, `…, according to X.`
- A bullet of a summary is a line, not a sentence.
- An embedded post (its text in a paragraph, then `— Name (@handle) June 4, 2025`) is a claim
  of that name's, on the channel `tweet`, stated on that day.

A sentence that holds a quotation is left to direct speech (app.drafting.speech).
"""

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import pairwise

from app.drafting.speech import (
    _ASIDE,
    SPEAKER,
    Attribution,
    Speech,
    channel_of,
    find_direct,
    named,
)

INDIRECT_VERBS = (
    "said|says|say|told|tells|claimed|claims|claim|denied|denies|deny|vowed|vows|vow|"
    "warned|warns|warn|insisted|insists|insist|accused|accuses|accuse|blamed|blames|blame|"
    "admitted|admits|admit|confirmed|confirms|confirm|announced|announces|announce|"
    "alleged|alleges|allege|reported|reports|report|promised|promises|promise|"
    "threatened|threatens|threaten|conceded|concedes|concede|acknowledged|acknowledges|"
    "estimated|estimates|estimate|believes|believed|believe|added|adds|tweeted|posted|"
    r"called\s+(?:on\s+\w+\s+)?for|calls for|call for|tells of|told of|"
    "urged|urges|urge|rejected|rejects|reject|"
    "dismissed|dismisses|dismiss|declined to comment"
)
# Words between a speaker and its verb: `has vowed`, `also said`, `on Monday claimed`.
_BETWEEN = (
    r"(?:(?:has|have|had|also|later|again|previously|repeatedly|now|yesterday|today|"
    r"separately|earlier|\w+ly|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r")\s+){0,3}"
)
# What may open a sentence before its subject: a connective or a when.
_OPENING = (
    r"(?:(?:But|And|However|Meanwhile|Separately|Earlier|Later|Now|Still|Yet|Also|So|"
    r"In\s+a\s+(?:statement|briefing)|(?:On|By|Late\s+on|Early\s+on)\s+\w+(?:\s+(?:[a-z]\w*|\d+))?|"
    r"(?:Earlier|Later)\s+(?:on\s+)?\w+|Overnight|Yesterday|Today|This\s+morning|"
    r"Speaking\s+[^,]{1,80}),?\s+){0,2}"
)
_CUE_FIRST = re.compile(
    rf"^{_OPENING}(?P<speaker>{SPEAKER}{_ASIDE})\s+{_BETWEEN}(?P<verb>{INDIRECT_VERBS})\b"
)
_ACCORDING_FIRST = re.compile(rf"^{_OPENING}[Aa]ccording\s+to\s+(?P<speaker>{SPEAKER}{_ASIDE})")
_CUE_LAST = re.compile(
    rf",\s+(?:(?P<speaker>{SPEAKER}{_ASIDE})\s+{_BETWEEN}(?P<verb>said|says|say|claimed|"
    rf"claims|added|adds|told\s+[\w.’'-]+(?:\s+[\w.’'-]+)?|warned|insisted)"
    rf"|according\s+to\s+(?P<speaker2>{SPEAKER}(?:,\s+(?:[A-Z][\w’'.-]*\s*){{1,4}})?))"
    rf"(?P<rest>[^,.;!?]*)(?:$|,\s+(?=while|as|but|adding|and))"
)
# Where a sentence joins a second claim: `… and said …`, `… and that …`, `… and killed …`.
_JOIN = re.compile(
    rf"\s+and\s+(?=(?:{INDIRECT_VERBS}|that|(?:also\s+)?[a-z]*[a-df-z]ed)\b)",
)
# A sentence ends at . ! ? before a space and a capital, a digit or a mark, or at a line's
# end; not after an abbreviation (`U.N.`, `Feb.`, `Col.`) or an initial.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen col lt maj capt sgt cpl brig adm gov sen rep st mt ft no vs jan feb mar "
    "apr jun jul aug sep sept oct nov dec inc ltd co corp".split()
)
_QUOTES = '“”"‘'
_POST_SIGNATURE = re.compile(
    r"^[—–-]\s*(?P<name>[^(\n]{2,80}?)\s*\((?P<handle>@\w{1,30})\)\s*"
    r"(?P<date>[A-Z][a-z]+\s+\d{1,2},\s+\d{4})?\s*$"
)
MAX_SENTENCE = 600
# The longest embedded post (characters): a post is short, a page is not.
MAX_POST = 3000


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, its final stop left out; a line is never crossed."""
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        body = line.group()
        lead = re.match(r"\s*(?:[•·▪*-]\s+)?", body)
        at = lead.end() if lead else 0
        begin = at
        for stop in re.finditer(r"[.!?]+(?=[\s\u00a0]+[A-Z0-9“\"‘(]|[\s\u00a0]*$)", body):
            # The word before the stop, read within a few dozen characters: never the
            # whole run since the sentence began (a run of "Mr. Mr. …" would be quadratic).
            word = re.search(r"([\w.]+)$", body[max(begin, stop.start() - 24) : stop.start()])
            before = word.group(1).lower().rstrip(".") if word else ""
            if stop.group() == "." and (
                before in _ABBREVIATIONS or len(before) == 1 or re.fullmatch(r"(\w\.)+\w", before)
            ):
                continue
            if stop.start() > begin:
                yield start + begin, start + stop.start()
            begin = stop.end()
            while begin < len(body) and body[begin] in " \u00a0\t":
                begin += 1
        end = len(body.rstrip())
        if end > begin:
            yield start + begin, start + end


class Spans:
    """Spans of the text (sorted and merged once) asked whether a span overlaps them."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, start: int, end: int) -> bool:
        where = bisect_left(self.starts, end) - 1  # the last span starting before `end`
        return where >= 0 and self.ends[where] > start

    def holds(self, at: int) -> bool:
        return self.overlaps(at, at + 1)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " \u00a0\t,;:":
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int, after: int) -> list[tuple[int, int]]:
    """The sentence cut where it joins a second claim (after the cue, at `after`)."""
    cuts = [m.start() for m in _JOIN.finditer(text, after, end)]
    bounds = [start, *cuts, end]
    pieces = []
    for left, right in pairwise(bounds):
        while left < right and text[left] in " \u00a0":
            left += 1
        pieces.append(_trim(text, left, right))
    return pieces


def _speech(
    start: int, end: int, speaker: str, at: int, verb: str, context: str, rule: str, cue_end: int
) -> Speech:
    channel, venue, why = channel_of(verb.split()[0], f"{verb} {context}")
    attribution = Attribution(
        *named(speaker, at), verb, channel, venue, 0.7, f"{rule}: {why}", cue_end
    )
    return Speech(start, end, False, attribution, 0.7, attribution.rule)


def find_indirect(text: str, quoted: list[tuple[int, int]]) -> list[Speech]:
    """Every sentence (or part of one) that reports a claim without quotation marks."""
    found: list[Speech] = []
    furniture = _furniture(text)
    in_quotes = Spans(quoted)
    for start, end in sentences(text):
        words = text[start:end]
        if end - start > MAX_SENTENCE or any(mark in words for mark in _QUOTES):
            continue
        if start < furniture or text[end : end + 1] == ":" or words.endswith(":"):
            continue  # the title and headline, or a cue introducing a quotation
        if in_quotes.holds(start):
            continue
        first = _CUE_FIRST.match(words)
        if first is not None:
            verb = first.group("verb")
            cue_end = start + first.end()
            context = words[first.end() : first.end() + 60]
            for left, right in _pieces(text, start, end, cue_end):
                found.append(
                    _speech(
                        left,
                        right,
                        first.group("speaker"),
                        start + first.start("speaker"),
                        verb,
                        context,
                        "indirect speech, the cue first",
                        cue_end,
                    )
                )
            continue
        according = _ACCORDING_FIRST.match(words)
        if according is not None:
            found.append(
                _speech(
                    start,
                    end,
                    according.group("speaker"),
                    start + according.start("speaker"),
                    "according to",
                    "",
                    "indirect speech, 'according to' first",
                    start + according.end(),
                )
            )
            continue
        last = next(reversed(list(_CUE_LAST.finditer(words))), None)
        if last is not None:
            key = "speaker" if last.group("speaker") else "speaker2"
            verb = last.group("verb") or "according to"
            found.append(
                _speech(
                    start,
                    end,
                    last.group(key),
                    start + last.start(key),
                    verb,
                    last.group("rest") or "",
                    "indirect speech, the cue last",
                    start + last.end(),
                )
            )
    return found


def _furniture(text: str) -> int:
    """Where the title and the headline end: the first line, and the next if it has no
    full stop and is no bullet (a headline is not a claim)."""
    lines = []
    for line in re.finditer(r"[^\n]+", text):
        if line.group().strip():
            lines.append(line)
            if len(lines) == 3:
                break
    if len(lines) < 3:
        return 0  # a sentence or two, not an article
    end = lines[0].end()
    if len(lines) > 1:
        second = lines[1].group().strip()
        if not re.match(r"[•·▪*-]\s", second) and second[-1:] not in '.!?”’"':
            end = lines[1].end()
    return end


def find_posts(text: str) -> list[Speech]:
    """Embedded posts: each paragraph a signature line (`— Name (@handle) June 4, 2025`)
    follows, a tweet of that name's, stated on the signature's day."""
    posts = []
    paragraphs = list(re.finditer(r"[^\n]+", text))
    for previous, line in pairwise(paragraphs):
        signed = _POST_SIGNATURE.match(line.group().strip())
        if signed is None or _POST_SIGNATURE.match(previous.group().strip()):
            continue  # no signature, or one signature after another
        start, end = _trim(text, previous.start(), previous.end())
        while start < end and (text[start] in _QUOTES or text[start].isspace()):
            start += 1
        while end > start and text[end - 1] in _QUOTES:
            end -= 1
        if not re.search(r"\w", text[start:end]) or end - start > MAX_POST:
            continue  # nothing posted (a blank or a mark), or more than a post holds
        name_at = line.start() + line.group().index(signed.group("name"))
        attribution = Attribution(
            signed.group("name").strip(),
            name_at,
            "posted",
            "tweet",
            None,
            0.8,
            f"an embedded post signed {signed.group('handle')}",
            line.end(),
        )
        posts.append(Speech(start, end, False, attribution, 0.8, attribution.rule))
    return posts


def find_speech(text: str) -> list[Speech]:
    """Every claim the text's speech makes: direct quotations (app.drafting.speech),
    embedded posts and indirect speech, in the text's order; a sentence is never both."""
    direct = find_direct(text)
    quotes = Spans((s.start, s.end) for s in direct)
    # A post holding a quotation is the quotation's ("“…,” Massoud tweeted." then a
    # signature): a sentence is never two claims.
    posts = [s for s in find_posts(text) if not quotes.overlaps(s.start, s.end)]
    taken = Spans([(s.start, s.end) for s in direct] + [(s.start, s.end) for s in posts])
    quoted = sorted((s.start, s.end) for s in direct)
    indirect = [s for s in find_indirect(text, quoted) if not taken.overlaps(s.start, s.end)]
    return sorted([*direct, *posts, *indirect], key=lambda speech: speech.start)


# The outlet's own assertions worth a claim: a hedge ("It is believed that …", "are thought
# to have been killed"), or an event of the war told with when or how many.
_HEDGE = re.compile(
    r"^It is (?:believed|understood|thought|reported|feared|claimed)\b"
    r"|\b(?:is|are|was|were) (?:believed|thought|understood|reported|said) to\b"
    r"|\breportedly\b"
)
_EVENT = re.compile(
    r"\b(?:killed|wounded|injured|shelled|shelling|struck|hit|seized|captured|retook|"
    r"recaptured|overran|cut|reached|crossed|launched|pushed|fled|displaced|destroyed|"
    r"attacked|bombed|besieged|encircled|surrounded|trapped|collapsed|raged|advanced|"
    r"withdrew|retreated|fell|were seen|could be heard|air strikes?|offensive)\b"
)
_WHEN_OR_HOW_MANY = re.compile(
    r"\d|\b(?:yesterday|today|overnight|this morning|last night|last week|on (?:Monday|"
    r"Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|since|hundreds|thousands|dozens)\b"
)


def find_reporting(
    text: str, taken: list[tuple[int, int]], captions: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """(start, end, rule) of each sentence in the outlet's own voice that asserts a fact of
    the war (see above): outside speech, quotations, captions, the title and headline."""
    found = []
    furniture = _furniture(text)
    spans = Spans([*taken, *captions])
    for start, end in sentences(text):
        words = text[start:end]
        if start < furniture or end - start > MAX_SENTENCE or any(m in words for m in _QUOTES):
            continue
        if spans.overlaps(start, end):
            continue
        if _HEDGE.search(words):
            found.append((start, end, "the outlet's own assertion, hedged"))
        elif _EVENT.search(words) and _WHEN_OR_HOW_MANY.search(words):
            found.append((start, end, "the outlet's own assertion of an event"))
    return found
