"""The search language of `q`, implemented once in Python for both engines.

Text is cut into **tokens** here, at import time and at query time alike, so SQLite and
PostgreSQL index and look up exactly the same tokens; neither engine's own parser, stemmer or
stop-word list ever sees a word:

- a word is a run of letters and digits, with inner apostrophes, plain or typographic
  (`taliban's`, `o'clock`);
  anything else separates words (`well-known` is two);
- case and accents are folded (Unicode NFKD, combining marks dropped, case-folded), so
  `Talibán` = `taliban` and `Lévy` = `levy`;
- a possessive `'s` is dropped (`taliban's` = `taliban`), other apostrophes removed;
- the 33 English stop words of Lucene's default set (`STOP_WORDS`) are neither indexed nor
  searched, and do not count as positions: "Lion of the Panjshir" has `lion` right before
  `panjshir`;
- every other word is stemmed with the English Snowball stemmer (`surrounded`,
  `surrounding` → `surround`); a stem with any non-ASCII letter left (`ø`, Arabic,
  Cyrillic …) is written as `u` + the hex of its UTF-8 bytes, so no engine tokenizer can
  split it differently.

The query language (`parse`):

- words: every one must match (`taliban valley`);
- `"a phrase"`: its words next to each other, in that order (stop words skipped);
- `a OR b`: either; `OR` binds the words or phrases on its two sides (`a OR b c` is
  `(a or b) and c`);
- `-word`, `-"a phrase"`, `NOT word`: items that contain it are left out; a query of only
  exclusions means every item of the collection without those words;
- `word*`: a prefix of the stemmed, indexed words, cut back to what the stemmer keeps of it
  (`talib*`; `surrounding*` looks for `surround*`); `"a phra"*` ends a phrase with a prefix;
- anything that is not one of these is read leniently as words: an unbalanced quote, a
  lowercase `or`/`not` (stop words), an `OR` or `NOT` with nothing to join, a lone `-`;
- at most `MAX_QUERY_LENGTH` characters and `MAX_QUERY_WORDS` words, and at least one word
  that is not a stop word, else a 400 naming `q`.

A query compiles to an FTS5 `MATCH` expression (`fts5`) and to PostgreSQL `tsquery` text
(`tsquery`, cast with `CAST(:q AS tsquery)`, which takes quoted lexemes as they are). Ranking
(`score_patterns`) and snippets (`snippet`) are computed the same way for both.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from app.core.http.errors import BadParameter

MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 32
# Longer tokens are cut: PostgreSQL's lexemes have a size limit, and no real word is longer.
MAX_TOKEN_LENGTH = 64
SNIPPET_WORDS = 14
SNIPPET_START = "<mark>"
SNIPPET_END = "</mark>"

# Lucene's default English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET).
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their"
    " then there these they this to was will with".split()
)

# Combining marks are not \w in Python: a word written with decomposed accents (e + U+0301)
# must stay one word.
_MARK = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER = rf"(?:[^\W_]|[{_MARK}])"
_RAW_WORD = re.compile(rf"{_LETTER}+(?:['\u2019]{_LETTER}+)*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
_ALNUM = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'(-?)["“]([^"“”]*)["”](\*?)|(\S+)')
_SPACE = re.compile(r"\s+")

_local = threading.local()


def _stem(word: str) -> str:
    if word.isdigit():  # numbers are many and the stemmer leaves them as they are
        return word
    # A Snowball stemmer keeps state while it works: one per thread (SQLite readers, imports).
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def fold(word: str) -> str:
    """Case and accents folded: `Lévy` → `levy`, `ﬁ` → `fi`, typographic apostrophes plain."""
    # Case-folded again after decomposition (Unicode's compatibility caseless match): a
    # letter such as U+1D413 (mathematical bold capital T) decomposes to an ASCII capital.
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    folded = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()
    return folded.replace("\u2019", "'")


def _ascii(token: str) -> str:
    if not token.isascii():
        token = "u" + token.encode("utf-8").hex()
    return token[:MAX_TOKEN_LENGTH]


def _parts(raw: str) -> list[str]:
    """The folded letter-and-digit runs of one word, possessive and apostrophes gone."""
    folded = fold(raw)
    if folded.endswith("'s"):
        folded = folded[:-2]
    return _ALNUM.findall(folded.replace("'", ""))


@lru_cache(maxsize=65_536)
def word_tokens(raw: str) -> tuple[str, ...]:
    """The tokens of one word as written (usually one; none for a stop word)."""
    return tuple(_ascii(_stem(part)) for part in _parts(raw) if part not in STOP_WORDS)


def _raw_words(text: str) -> list[str]:
    # ASCII text has no combining marks or typographic apostrophes: a plainer pattern finds
    # the same words, about twice as fast.
    return (_ASCII_WORD if text.isascii() else _RAW_WORD).findall(text)


def tokens(text: str) -> list[str]:
    """The token stream of a text, in order: what the index holds and phrases count on."""
    return [token for raw in _raw_words(text) for token in word_tokens(raw)]


@lru_cache(maxsize=65_536)
def _word_terms(raw: str) -> str | None:
    """The tokens of one word as written, wrapped in bars (None for a stop word)."""
    found = word_tokens(raw)
    return " ".join(f"|{token}|" for token in found) if found else None


def index_terms(text: str) -> tuple[str, int]:
    """`search_document.terms` and `term_count` for a text: every token wrapped in bars
    (`|taliban| |claim| |surround|`), so SQL string functions can count occurrences."""
    pieces = [piece for piece in map(_word_terms, _raw_words(text)) if piece is not None]
    terms = " ".join(pieces)
    # A word may give several tokens (`½` folds to 1, a fraction slash, 2: two tokens), so
    # the bars are counted.
    return terms, terms.count("|") // 2


@dataclass(frozen=True, slots=True)
class Atom:
    """A word (one token) or a phrase (several, adjacent); `prefix`: the last is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Every group must match (a group: any of its atoms); no excluded atom may."""

    groups: tuple[tuple[Atom, ...], ...]
    excluded: tuple[Atom, ...]

    @property
    def positive(self) -> tuple[Atom, ...]:
        return tuple(atom for group in self.groups for atom in group)


_OR = "OR"
_NOT = "NOT"


def _prefix_token(part: str) -> str:
    """A prefix cut back to what the stemmer keeps of it, since the index holds stems:
    `surrounding*` looks for `surround*`, `happy*` (stem `happi`) for `happ*`."""
    stem = _stem(part)
    same = next(
        (i for i, (a, b) in enumerate(zip(part, stem, strict=False)) if a != b),
        min(len(part), len(stem)),
    )
    return _ascii(part[:same] or part)


def _atom(text: str, prefix: bool) -> tuple[Atom | None, int]:
    """The atom of a word or phrase as written, and how many words it has."""
    raws = _RAW_WORD.findall(text)
    found: list[str] = []
    for index, raw in enumerate(raws):
        if prefix and index == len(raws) - 1:
            parts = _parts(raw)
            found.extend(_ascii(_stem(part)) for part in parts[:-1] if part not in STOP_WORDS)
            if parts:
                found.append(_prefix_token(parts[-1]))
        else:
            found.extend(word_tokens(raw))
    if not found:
        return None, len(raws)
    return Atom(tuple(found), prefix and bool(raws)), len(raws)


@lru_cache(maxsize=1024)
def parse(q: str) -> SearchQuery:
    """`q` as a query; a `BadParameter` naming `q` when it is too long or has no word."""
    if len(q) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"at most {MAX_QUERY_LENGTH} characters")
    items: list[str | tuple[Atom, bool]] = []
    words = 0
    for match in _CHUNK.finditer(q):
        negated, phrase, star, bare = match.groups()
        if bare is None:
            atom, count = _atom(phrase, bool(star))
            words += count
            if atom is not None:
                items.append((atom, bool(negated)))
            continue
        if bare in (_OR, _NOT):
            items.append(bare)
            continue
        minus = bare.startswith("-")
        bare = bare[1:] if minus else bare
        atom, count = _atom(bare.rstrip("*"), bare.endswith("*"))
        words += count
        if atom is not None:
            items.append((atom, minus))
    if words > MAX_QUERY_WORDS:
        raise BadParameter(
            "q", f"at most {MAX_QUERY_WORDS} words are searched, this has {words}: leave some out"
        )
    groups: list[list[Atom]] = []
    excluded: list[Atom] = []

    def positive_atom(index: int) -> bool:
        if not 0 <= index < len(items):
            return False
        item = items[index]
        after_not = index > 0 and items[index - 1] == _NOT
        return not isinstance(item, str) and not item[1] and not after_not

    join_next = False
    for index, item in enumerate(items):
        if item == _OR:
            # Binds two positive words or phrases; anything else is the stop word "or".
            join_next = bool(groups) and positive_atom(index - 1) and positive_atom(index + 1)
            continue
        if item == _NOT:
            continue
        assert not isinstance(item, str)
        atom, minus = item
        if minus or (index > 0 and items[index - 1] == _NOT):
            excluded.append(atom)
        elif join_next:
            groups[-1].append(atom)
        else:
            groups.append([atom])
        join_next = False
    if not groups and not excluded:
        raise BadParameter(
            "q",
            "has no word to search for: punctuation and English stop words (the, of, and, "
            "not, or …) are not indexed",
        )
    return SearchQuery(tuple(tuple(group) for group in groups), tuple(excluded))


# FTS5: every token quoted, so no operator or column filter can be injected.
def _fts5_atom(atom: Atom) -> str:
    return '"' + " ".join(atom.tokens) + '"' + (" *" if atom.prefix else "")


def fts5_any(atoms: tuple[Atom, ...]) -> str:
    """An FTS5 expression matching any of `atoms`."""
    return " OR ".join(_fts5_atom(atom) for atom in atoms)


def fts5(query: SearchQuery) -> str:
    """The FTS5 `MATCH` expression of a query with at least one group."""
    positive = " AND ".join(
        fts5_any(group) if len(group) == 1 else f"({fts5_any(group)})" for group in query.groups
    )
    if not query.excluded:
        return positive
    return f"({positive}) NOT ({fts5_any(query.excluded)})"


def _ts_atom(atom: Atom) -> str:
    lexemes = [f"'{token}'" for token in atom.tokens]
    if atom.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def tsquery_any(atoms: tuple[Atom, ...]) -> str:
    """`tsquery` text matching any of `atoms`."""
    return " | ".join(_ts_atom(atom) for atom in atoms)


def tsquery(query: SearchQuery) -> str:
    """The `tsquery` text of a query with at least one group."""
    parts = [
        tsquery_any(group) if len(group) == 1 else f"({tsquery_any(group)})"
        for group in query.groups
    ]
    parts += [f"!{_ts_atom(atom)}" for atom in query.excluded]
    return " & ".join(parts)


def score_patterns(query: SearchQuery) -> list[str]:
    """What to count in `terms` for the score: each word or phrase the query looks for,
    bars included (`|taliban|`, `|narrow| |gorg|`); a prefix without its closing bar."""
    return ["|" + "| |".join(atom.tokens) + ("" if atom.prefix else "|") for atom in query.positive]


def _marks(query: SearchQuery) -> tuple[frozenset[str], tuple[str, ...]]:
    whole: set[str] = set()
    prefixes: list[str] = []
    for atom in query.positive:
        if atom.prefix:
            whole.update(atom.tokens[:-1])
            prefixes.append(atom.tokens[-1])
        else:
            whole.update(atom.tokens)
    return frozenset(whole), tuple(prefixes)


def snippet(content: str, query: SearchQuery, *, words: int = SNIPPET_WORDS) -> str:
    """`words` words of `content` around its first match, each word whose token the query
    looks for (or begins with a prefix it looks for) in `<mark>…</mark>`, `…` where cut."""
    whole, prefixes = _marks(query)
    spans = [(m.start(), m.end()) for m in _RAW_WORD.finditer(content)]
    if not spans:
        return _SPACE.sub(" ", content).strip()
    marked = [
        any(
            token in whole or token.startswith(prefixes)
            for token in word_tokens(content[start:end])
        )
        for start, end in spans
    ]
    first = marked.index(True) if True in marked else 0
    start = max(0, min(first - words // 4, len(spans) - words))
    end = min(len(spans), start + words)
    pieces: list[str] = ["…" if start > 0 else content[: spans[0][0]].lstrip()]
    for index in range(start, end):
        if index > start:
            pieces.append(content[spans[index - 1][1] : spans[index][0]])
        word = content[spans[index][0] : spans[index][1]]
        pieces.append(f"{SNIPPET_START}{word}{SNIPPET_END}" if marked[index] else word)
    pieces.append("…" if end < len(spans) else content[spans[-1][1] :].rstrip())
    return _SPACE.sub(" ", "".join(pieces))
