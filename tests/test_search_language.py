"""The search language of `q`: its tokens, parser and compilers, and the same answers over HTTP
on both engines."""

import random
import unicodedata
from collections.abc import Callable

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.core.http.errors import BadParameter
from app.core.query import search_language
from app.core.query.fulltext import LENGTH_DAMPING, SCORE_SCALE, matches
from app.core.query.search_language import (
    Atom,
    SearchQuery,
    fts5,
    fts5_any,
    index_terms,
    parse,
    score_patterns,
    snippet,
    tokens,
    tsquery,
    tsquery_any,
    word_tokens,
)
from app.main import create_app
from app.migrate import alembic_config, upgrade_to_head
from tests.helpers import assert_problem, get_json, id_set, ids

# --- tokens ------------------------------------------------------------------------------


def test_tokens_fold_case_accents_and_possessives_and_drop_stop_words() -> None:
    assert tokens("The Taliban's claim: they SURROUNDED the Panjshir") == [
        "taliban",
        "claim",
        "surround",
        "panjshir",
    ]
    assert tokens("Talibán") == tokens("taliban") == ["taliban"]
    decomposed = unicodedata.normalize("NFD", "Lévy")
    assert decomposed != "Lévy"
    assert tokens("Lévy") == tokens(decomposed) == tokens("LEVY") == ["levi"]
    assert tokens("Massoud\u2019s fighters") == ["massoud", "fighter"]  # typographic apostrophe
    assert tokens("Bernard-Henri Lévy, 6,000 men") == [
        "bernard",
        "henri",
        "levi",
        "6",
        "000",
        "men",
    ]
    assert tokens("surrounding surrounded surrounds") == ["surround"] * 3
    # Letters that decompose to capitals are folded too (mathematical bold T, double-struck H).
    assert tokens("\U0001d413aliban \u210derat") == ["taliban", "herat"]


def test_a_stem_left_with_non_ascii_letters_is_written_in_ascii() -> None:
    assert tokens("Łódź") == ["u" + "łodz".encode().hex()]  # ó folds, ł has no accent
    assert tokens("Łódź")[0].isascii()


def test_index_terms_takes_the_fast_paths_to_the_same_terms() -> None:
    """ASCII text is cut by a plainer pattern and words' terms are cached: the same terms as
    the token stream wrapped in bars, for text of every kind (accents as one code point or
    decomposed, typographic apostrophes, possessives, stop words, ligatures, fractions, other
    scripts, digits and punctuation)."""
    pieces = [
        "Taliban",
        "taliban's",
        "TALIBÁN",
        "Talibán",
        "Tali\u0301ban",
        "o'clock",
        "o\u2019clock",
        "the",
        "of",
        "and",
        "well-known",
        "½",
        "ﬁghters",
        "Лев",
        "طالبان",
        "2021",
        "08-24",
        "—",
        "…",
        "'",
        "\u2019",
        "-",
        "!",
        " ",
        "  ",
        "\n",
        "surrounded",
        "surrounding",
        "A",
        "it's",
        "d'Artagnan",
        "x'",
        "'y",
    ]
    rng = random.Random(16)
    for _ in range(3_000):
        text = "".join(
            rng.choice(pieces) + rng.choice(["", " ", ",", ". ", "\u2019"])
            for _ in range(rng.randrange(0, 12))
        )
        # The reference: the general pattern, each word's tokens, no cache.
        stream = [t for raw in search_language._RAW_WORD.findall(text) for t in word_tokens(raw)]
        assert tokens(text) == stream, text
        assert index_terms(text) == (" ".join(f"|{t}|" for t in stream), len(stream)), text


def test_index_terms_wraps_every_token_in_bars() -> None:
    assert index_terms("The Taliban surrounded the Taliban.") == (
        "|taliban| |surround| |taliban|",
        3,
    )
    assert index_terms("of the") == ("", 0)


# --- parser -------------------------------------------------------------------------------


def word(token: str, *, prefix: bool = False) -> Atom:
    return Atom((token,), prefix)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("taliban valley", SearchQuery(((word("taliban"),), (word("valley"),)), ())),
        ('"narrow gorge"', SearchQuery(((Atom(("narrow", "gorg")),),), ())),
        (
            "taliban OR massoud panjshir",
            SearchQuery(((word("taliban"), word("massoud")), (word("panjshir"),)), ()),
        ),
        ("taliban -massoud", SearchQuery(((word("taliban"),),), (word("massoud"),))),
        ("taliban NOT massoud", SearchQuery(((word("taliban"),),), (word("massoud"),))),
        ('valley -"narrow gorge"', SearchQuery(((word("valley"),),), (Atom(("narrow", "gorg")),))),
        ("NOT taliban", SearchQuery((), (word("taliban"),))),
        ("talib*", SearchQuery(((word("talib", prefix=True),),), ())),
        ("happy*", SearchQuery(((word("happ", prefix=True),),), ())),  # stem: happi
        ('"narrow gor"*', SearchQuery(((Atom(("narrow", "gor"), True),),), ())),
        # stop words are skipped, also inside phrases
        ('"Lion of the Panjshir"', SearchQuery(((Atom(("lion", "panjshir")),),), ())),
        # one word written with punctuation inside is a phrase of its parts
        ("Bernard-Henri", SearchQuery(((Atom(("bernard", "henri")),),), ())),
        # lenient: unbalanced quotes, lone or lowercase operators are words (or stop words)
        ('"unbalanced taliban', SearchQuery(((word("unbalanc"),), (word("taliban"),)), ())),
        ("taliban OR", SearchQuery(((word("taliban"),),), ())),
        ("OR taliban", SearchQuery(((word("taliban"),),), ())),
        ("taliban -", SearchQuery(((word("taliban"),),), ())),
        ("taliban NOT", SearchQuery(((word("taliban"),),), ())),
        ("taliban or not massoud", SearchQuery(((word("taliban"),), (word("massoud"),)), ())),
        ("taliban OR -massoud", SearchQuery(((word("taliban"),),), (word("massoud"),))),
        ("NOT NOT taliban", SearchQuery((), (word("taliban"),))),
    ],
)
def test_parse(q: str, expected: SearchQuery) -> None:
    assert parse(q) == expected


@pytest.mark.parametrize(
    "q", ["the", "OR", "NOT", "-", '"', "!!!", "of the and", "- NOT OR", "*", '""']
)
def test_a_query_without_a_searchable_word_is_refused_naming_q(q: str) -> None:
    with pytest.raises(BadParameter, match="no word to search for") as raised:
        parse(q)
    assert raised.value.extra["errors"][0]["name"] == "q"


def test_limits_name_q() -> None:
    with pytest.raises(BadParameter, match="at most 32"):
        parse(" ".join("b" for _ in range(33)))
    parse(" ".join("b" for _ in range(32)))
    with pytest.raises(BadParameter, match="at most 500 characters"):
        parse("taliban " * 63)


# --- compilers ----------------------------------------------------------------------------


def test_fts5_and_tsquery_text() -> None:
    query = parse('taliban OR massoud "narrow gorge" surround* -kabul NOT "the valley"')
    assert fts5(query) == (
        '(("taliban" OR "massoud") AND "narrow gorg" AND "surround" *) NOT ("kabul" OR "valley")'
    )
    assert tsquery(query) == (
        "(('taliban') | ('massoud')) & ('narrow' <-> 'gorg') & ('surround':*)"
        " & !('kabul') & !('valley')"
    )
    assert score_patterns(query) == ["|taliban|", "|massoud|", "|narrow| |gorg|", "|surround"]
    only_out = parse("-kabul -taliban")
    assert fts5_any(only_out.excluded) == '"kabul" OR "taliban"'
    assert tsquery_any(only_out.excluded) == "('kabul') | ('taliban')"


def test_fts5_groups_are_parenthesised_before_not() -> None:
    assert fts5(parse("taliban -massoud")) == '("taliban") NOT ("massoud")'


# --- snippets -----------------------------------------------------------------------------


def test_snippet_marks_every_word_searched_for_around_the_first_match() -> None:
    content = (
        "Ahmad Massoud said the Taliban surrounded the valley, but the resistance held the "
        "narrow gorge for weeks and weeks after the Taliban came."
    )
    assert snippet(content, parse('surrounding "narrow gorge"')) == (
        "…said the Taliban <mark>surrounded</mark> the valley, but the resistance held the "
        "<mark>narrow</mark> <mark>gorge</mark> for…"
    )
    assert snippet("Bernard-Henri Lévy\nLevy", parse("levy")) == (
        "Bernard-Henri <mark>Lévy</mark> <mark>Levy</mark>"
    )
    assert snippet("The Taliban\u2019s fighters.", parse("talib*")) == (
        "The <mark>Taliban\u2019s</mark> fighters."
    )
    # nothing to mark (exclusions only): the text's beginning
    assert snippet(content, parse("-kabul")) == (
        "Ahmad Massoud said the Taliban surrounded the valley, but the resistance held the narrow…"
    )


# --- over HTTP, on both engines -------------------------------------------------------------

TALIBAN = {
    "massoud-negotiation-only-way",
    "massoud-no-fighter-will-pass",
    "taliban-sending-hundreds",
    "na-fuj-ambush-50-killed",
    "taliban-panjshir-surrounded-summary",
    "massoud-no-fighter-has-dared",
    "taliban-retook-three-districts",
    "taliban-panjshir-surrounded",
    "report-taliban-funding",
    "massoud-valley-will-not-fall",
    "na-andarab-clashes",
    "report-taliban-asked-officials-to-stay",
    "na-efforts-rebuffed",
}
MASSOUD = {
    "french-government-declined-comment",
    "report-massoud-assassinated",
    "levy-massoud-only-one-who-resists",
    "massoud-valley-will-not-fall",
    "massoud-appeal-to-the-french",
    "aide-forces-over-6000",
    "massoud-fight-to-the-last",
    "levy-france-should-help",
    "massoud-needs-international-support",
    "na-efforts-rebuffed",
}
SURROUNDED = {
    "taliban-panjshir-surrounded",
    "taliban-sending-hundreds",
    "taliban-panjshir-surrounded-summary",
}


def claims(client: TestClient, q: str) -> set[str]:
    return id_set(client, "/v1/claims", q=q)


def test_words_or_and_exclusion(client: TestClient) -> None:
    assert claims(client, "taliban") == TALIBAN
    assert claims(client, "massoud") == MASSOUD
    assert claims(client, "taliban massoud") == TALIBAN & MASSOUD
    assert claims(client, "taliban OR massoud") == TALIBAN | MASSOUD
    assert len(TALIBAN | MASSOUD) == 21
    excluded = claims(client, "taliban -massoud")
    assert excluded == claims(client, "taliban NOT massoud") == TALIBAN - MASSOUD
    assert len(excluded) == 11
    for claim_id in excluded:
        claim = get_json(client, f"/v1/claims/{claim_id}")
        assert "massoud" not in (claim["quote"] + claim["statement"]).lower()


def test_exclusions_alone_mean_everything_without_those_words(client: TestClient) -> None:
    every = id_set(client, "/v1/claims")
    assert len(every) == 30
    assert claims(client, "NOT taliban") == claims(client, "-taliban") == every - TALIBAN
    assert claims(client, "-taliban -massoud") == every - TALIBAN - MASSOUD
    page = get_json(client, "/v1/claims", q="-taliban", limit=3)
    assert page["total"] == 17
    # no score: by id
    assert [item["id"] for item in page["items"]] == sorted(every - TALIBAN)[:3]


def test_phrases_need_the_words_in_a_row(client: TestClient) -> None:
    narrow_gorge = {"massoud-no-fighter-will-pass", "massoud-no-fighter-has-dared"}
    assert claims(client, '"narrow gorge"') == narrow_gorge
    assert claims(client, "gorge narrow") == narrow_gorge
    assert claims(client, '"gorge narrow"') == set()
    # "... have the Panjshir surrounded": in a row once; apart in two others
    assert claims(client, "panjshir surrounded") == SURROUNDED
    assert claims(client, '"panjshir surrounded"') == {"taliban-sending-hundreds"}
    assert claims(client, '"taliban surrounded"') == set()
    # stop words do not count between the words of a phrase
    assert id_set(client, "/v1/actors", q='"Lion of the Panjshir"') == {"ahmad-shah-massoud"}
    assert id_set(client, "/v1/actors", q='"lion panjshir"') == {"ahmad-shah-massoud"}


def test_prefix_accents_possessives_and_stemming(client: TestClient) -> None:
    assert claims(client, "talib*") == TALIBAN
    assert claims(client, "talibán") == TALIBAN
    assert claims(client, "TALIBAN'S") == TALIBAN
    assert claims(client, "taliban\u2019s") == TALIBAN
    assert claims(client, "surrounding") == SURROUNDED
    assert claims(client, "surround*") == SURROUNDED
    assert claims(client, "surrounding*") == SURROUNDED  # cut back to the stem: surround*
    levy = {"bernard-henri-levy", "politico"}
    assert id_set(client, "/v1/actors", q="Lévy") == id_set(client, "/v1/actors", q="levy") == levy
    assert claims(client, "helicopters") == {
        "na-tajik-helicopter-photo",
        "na-tajik-helicopters-tweet",
        "report-tajikistan-sponsors-na",
    }


def test_malformed_queries_are_read_as_words(client: TestClient) -> None:
    for q in ("taliban OR", "OR taliban", "taliban -", "taliban NOT", "taliban or", "taliban*"):
        assert claims(client, q) == TALIBAN, q
    assert claims(client, '"narrow gorge') == claims(client, "narrow gorge")
    assert claims(client, '"narrow gorge')


@pytest.mark.parametrize(
    ("path", "q", "why"),
    [
        ("/v1/claims", "the", "no word to search for"),
        ("/v1/claims", "OR", "no word to search for"),
        ("/v1/claims", "-", "no word to search for"),
        ("/v1/claims", "NOT", "no word to search for"),
        ("/v1/claims", '"', "no word to search for"),
        ("/v1/search", "of the", "no word to search for"),
        ("/v1/claims/facets", "not", "no word to search for"),
        ("/v1/claims", " ".join("b" for _ in range(250)), "at most 32 words"),
        ("/v1/search", " ".join("b" for _ in range(33)), "at most 32 words"),
        ("/v1/actors", "x" * 501, "500"),
    ],
)
def test_unsearchable_or_too_long_q_is_a_400_naming_q(
    client: TestClient, path: str, q: str, why: str
) -> None:
    body = assert_problem(client.get(path, params={"q": q}), 400, parameter="q")
    assert why in body["detail"]


def test_relevance_is_an_integer_score_ties_broken_by_id(client: TestClient) -> None:
    ranked = ids(client, "/v1/claims", q="taliban")
    assert ranked == [
        "massoud-negotiation-only-way",
        "massoud-no-fighter-will-pass",
        "taliban-sending-hundreds",
        "na-fuj-ambush-50-killed",
        "taliban-panjshir-surrounded-summary",
        "massoud-no-fighter-has-dared",
        "taliban-retook-three-districts",
        "taliban-panjshir-surrounded",
        "report-taliban-funding",
        "massoud-valley-will-not-fall",
        "na-andarab-clashes",
        "report-taliban-asked-officials-to-stay",
        "na-efforts-rebuffed",
    ]
    # the keyset cursor walks the same order, two at a time
    walked: list[str] = []
    cursor = None
    for _ in range(20):
        page = get_json(
            client, "/v1/claims", q="taliban", limit=2, **({"cursor": cursor} if cursor else {})
        )
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == ranked
    # a filter joined to the search, and another sort, still hold
    assert ids(client, "/v1/claims", q="taliban", claimant_id="ahmad-massoud") == [
        "massoud-negotiation-only-way",
        "massoud-no-fighter-will-pass",
        "massoud-no-fighter-has-dared",
        "massoud-valley-will-not-fall",
    ]
    assert ids(client, "/v1/claims", q="taliban", sort="id") == sorted(TALIBAN)


def test_search_hits_and_snippets(client: TestClient) -> None:
    body = get_json(client, "/v1/search", q='"narrow gorge"')
    assert [(hit["type"], hit["id"]) for hit in body["items"]] == [
        ("claim", "massoud-no-fighter-will-pass"),
        ("location", "panjshir-valley-entrance"),
        ("claim", "massoud-no-fighter-has-dared"),
        ("media", "photo-massoud-and-father"),
        ("report", "panjshir-last-bastion-2021-08-24"),
    ]
    assert body["items"][0]["snippet"] == (
        "…pass through the <mark>narrow</mark> <mark>gorge</mark> into the valley No Taliban "
        "fighter will pass through…"
    )
    levy = get_json(client, "/v1/search", q="Levy", type="actor")["items"][0]
    assert levy["id"] == "bernard-henri-levy"
    assert levy["snippet"].startswith("Bernard-Henri <mark>Lévy</mark> <mark>Lévy</mark>")
    assert get_json(client, "/v1/search", q="-taliban -massoud")["total"] > 0


def test_facets_take_the_same_language(client: TestClient) -> None:
    facets = get_json(client, "/v1/claims/facets", q="taliban -massoud")
    assert facets["total"] == len(TALIBAN - MASSOUD) == 11
    claimants = {value["value"]: value["count"] for value in facets["facets"]["claimant"]}
    assert claimants == {"taliban": 4, "ahmad-massoud": 3, "northern-alliance": 2, "mailonline": 2}


def test_a_long_document_cannot_overflow_the_score(make_database: Callable[..., Engine]) -> None:
    """The score counts in 64-bit integers on both engines: 7,000 occurrences times the scale
    would pass PostgreSQL's int4."""
    engine = make_database(seed=False)
    terms, count = index_terms("apple " * 7000)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO search_document (entity_type, entity_id, content, terms, term_count)"
                " VALUES ('actor', 'apples', :content, :terms, :count)"
            ),
            {"content": "apple " * 7000, "terms": terms, "count": count},
        )
    with Session(engine) as session:
        rows = session.execute(select(matches(engine.dialect.name, "appl* " * 32, "actor"))).all()
    assert [(row.entity_id, row.rank) for row in rows] == [
        ("apples", -(32 * 7000 * SCORE_SCALE // (7000 + LENGTH_DAMPING)))
    ]


def test_the_migration_fills_the_tokens_of_rows_already_there(
    make_database: Callable[..., Engine],
) -> None:
    engine = make_database()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    command.downgrade(alembic_config(url), "0007")
    engine.dispose()
    upgrade_to_head(url)
    engine.dispose()
    with engine.connect() as conn:
        empty = conn.execute(
            text("SELECT count(*) FROM search_document WHERE term_count = 0")
        ).scalar_one()
        terms = conn.execute(
            text(
                "SELECT terms FROM search_document WHERE entity_id = 'taliban-panjshir-surrounded'"
            )
        ).scalar_one()
    assert empty == 0
    assert terms == "|said| |had| |surround| |panjshir| |taliban| |have| |surround| |panjshir|"
    with TestClient(create_app(engine)) as client:
        assert claims(client, "surrounding") == SURROUNDED
        assert claims(client, '"narrow gorge"') == {
            "massoud-no-fighter-will-pass",
            "massoud-no-fighter-has-dared",
        }
