"""The reading view (`/`, `/reports/{id}`): the highlighting function on crossing, nested and
adjacent spans, and the seed's page parsed as HTML: its text verbatim, every claim, caption and
relation highlighted with its exact words, named and linked, contradictions marked."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.reading.highlight import Highlight, render, segments, tokens
from tests.conftest import REPORT_ID
from tests.helpers import get_json, ids

# --- A small DOM, from the standard library's HTML parser ----------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)
    parent: "Node | None" = None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Any:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list["Node"]:
        return [
            n
            for n in self.iter()
            if n.tag == tag and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> Any:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    """Builds the tree and fails on any end tag that does not close the open element: the
    page's nesting must be exact, with no help from a forgiving parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> left open"
    return builder.root


# --- The highlighting function --------------------------------------------------------------


def _h(start: int, end: int, key: str, rank: int = 0) -> Highlight:
    return Highlight(start, end, key, rank=rank, attributes={"data-k": key})


def _covering(length: int, highlights: list[Highlight]) -> list[tuple[int, int, list[str]]]:
    return [(s.start, s.end, [h.key for h in s.covering]) for s in segments(length, highlights)]


def test_segments_cut_at_every_boundary_of_crossing_spans() -> None:
    assert _covering(10, [_h(1, 6, "a"), _h(4, 9, "b")]) == [
        (0, 1, []),
        (1, 4, ["a"]),
        (4, 6, ["a", "b"]),
        (6, 9, ["b"]),
        (9, 10, []),
    ]


def test_segments_of_nested_spans_list_the_outer_first() -> None:
    assert _covering(8, [_h(2, 4, "inner"), _h(0, 8, "outer")]) == [
        (0, 2, ["outer"]),
        (2, 4, ["outer", "inner"]),
        (4, 8, ["outer"]),
    ]


def test_adjacent_spans_share_no_segment() -> None:
    assert _covering(6, [_h(0, 3, "a"), _h(3, 6, "b")]) == [(0, 3, ["a"]), (3, 6, ["b"])]


def test_the_same_span_nests_by_rank_then_key() -> None:
    same = [_h(0, 4, "z", rank=1), _h(0, 4, "y", rank=2), _h(0, 4, "x", rank=1)]
    assert _covering(4, same) == [(0, 4, ["x", "z", "y"])]


def test_spans_are_clipped_to_the_text_and_empty_ones_dropped() -> None:
    assert _covering(5, [_h(-3, 2, "a"), _h(4, 99, "b"), _h(3, 3, "empty")]) == [
        (0, 2, ["a"]),
        (2, 4, []),
        (4, 5, ["b"]),
    ]
    assert segments(0, [_h(0, 3, "a")]) == []


def test_crossing_spans_become_properly_nested_fragments() -> None:
    text = "abcdefghij"
    walked = [
        (t[0], t[1].key, t[2]) if t[0] != "text" else ("text", t[1], None)
        for t in tokens(text, [_h(1, 6, "a"), _h(4, 9, "b")])
    ]
    assert walked == [
        ("text", "a", None),
        ("open", "a", True),
        ("text", "bcd", None),
        ("open", "b", True),
        ("text", "ef", None),
        ("close", "b", False),  # b continues: closed here only to let a close
        ("close", "a", True),
        ("open", "b", False),
        ("text", "ghi", None),
        ("close", "b", True),
        ("text", "j", None),
    ]


def test_a_span_that_outlives_an_outer_one_is_reopened_after_it() -> None:
    # c nests in a but ends after it; b starts inside c: three levels, crossing twice.
    html = render("0123456789", [_h(0, 5, "a"), _h(2, 8, "c"), _h(3, 4, "b")])
    assert html == (
        '<mark data-k="a">01<mark data-k="c">2<mark data-k="b">3</mark>4</mark></mark>'
        '<mark data-k="c">567</mark>89'
    )


def test_render_writes_the_id_on_the_first_fragment_and_the_tail_on_the_last() -> None:
    from markupsafe import Markup

    crossing = Highlight(2, 7, "b", first_attributes={"id": "b"}, tail=Markup('<a href="/b"></a>'))
    html = render("0123456789", [_h(0, 4, "a"), crossing])
    assert html == (
        '<mark data-k="a">01<mark id="b">23</mark></mark><mark>456<a href="/b"></a></mark>789'
    )


def test_rendered_text_is_escaped_and_comes_back_verbatim() -> None:
    text = '<b>"Tom & Jerry\'s"</b>\r\n  \u2018quoted\u2019\t\u00a0end\n'
    spans = [_h(0, 9, "a"), _h(5, 20, "b"), _h(5, 20, "c", rank=1), _h(19, 30, "d"), _h(2, 3, "e")]
    html = render(text, spans)
    assert "<b>" not in html
    assert "&#13;" in html  # a raw CR would be read as a line break
    tree = parse(f"<div>{html}</div>")
    assert tree.text() == text
    for highlight in spans:
        fragments = [n.text() for n in tree.find_all("mark", data_k=highlight.key)]
        assert "".join(fragments) == text[highlight.start : highlight.end]


def test_attribute_values_are_escaped() -> None:
    hostile = Highlight(0, 1, "x", attributes={"title": '"><script>alert(1)</script>'})
    html = render("x", [hostile])
    assert "<script>" not in html
    (mark,) = parse(html).find_all("mark")
    assert mark.attrs["title"] == '"><script>alert(1)</script>'


def test_two_highlights_with_one_key_are_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        render("abc", [_h(0, 1, "a"), _h(1, 2, "a")])


# --- The seed's report page, on every engine -------------------------------------------------


@pytest.fixture(scope="module")
def page_html(client: TestClient) -> str:
    response = client.get(f"/reports/{REPORT_ID}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


@pytest.fixture(scope="module")
def page(page_html: str) -> Node:
    return parse(page_html)


@pytest.fixture(scope="module")
def claims(client: TestClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = get_json(
        client, "/v1/claims", report_id=REPORT_ID, limit=500, sort="id"
    )["items"]
    assert len(found) == 30
    return found


def _text_of(page: Node) -> Node:
    (body,) = [n for n in page.find_all("div") if "report-text" in n.classes()]
    return body


def _highlights(page: Node, item: str, item_id: str) -> list[Node]:
    return _text_of(page).find_all("mark", data_item=item, data_id=item_id)


def test_the_text_between_the_tags_is_the_report_text_verbatim(
    client: TestClient, page: Node
) -> None:
    text = client.get(f"/v1/reports/{REPORT_ID}/text").text
    assert len(text) > 7000
    assert _text_of(page).text() == text


def test_every_claim_is_linked_and_its_quote_highlighted_with_its_exact_words(
    page: Node, page_html: str, claims: list[dict[str, Any]]
) -> None:
    links = {a.attrs.get("href") for a in page.find_all("a")}
    for claim in claims:
        assert f"/v1/claims/{claim['id']}" in links, claim["id"]
        fragments = _highlights(page, "claim", claim["id"])
        assert fragments, claim["id"]
        assert "".join(f.text() for f in fragments) == claim["quote"], claim["id"]
        # The first fragment is the anchor the side list links to; the label comes once.
        assert fragments[0].attrs["id"] == f"claim-{claim['id']}"
        assert all("id" not in f.attrs for f in fragments[1:])
        refs = [a for f in fragments for a in f.children if isinstance(a, Node) and a.tag == "a"]
        assert [r.attrs["href"] for r in refs] == [f"/v1/claims/{claim['id']}"]
    assert page_html.count('id="claim-') == len(claims)


def test_each_claim_highlight_names_its_claimant(page: Node, claims: list[dict[str, Any]]) -> None:
    named = set()
    for claim in claims:
        claimant = claim["claimant"]
        for fragment in _highlights(page, "claim", claim["id"]):
            assert fragment.attrs["data-claimant-id"] == claimant["id"]
            assert fragment.attrs["data-claimant"] == claimant["name"]
            assert f"claim by {claimant['name']}" in fragment.attrs["title"]
        (ref,) = [
            a
            for a in _text_of(page).find_all("a")
            if a.attrs["href"] == f"/v1/claims/{claim['id']}"
        ]
        assert f"claim by {claimant['name']}" in ref.attrs["aria-label"]
        named.add(claimant["name"])
    assert {"Taliban", "Ahmad Massoud", "Northern Alliance", "MailOnline"} <= named


def test_a_contradicted_claim_is_marked_and_links_the_claims_contradicting_it(
    client: TestClient, page: Node, claims: list[dict[str, Any]]
) -> None:
    contradicted = [c for c in claims if c["contradicts"]]
    assert len(contradicted) >= 4
    # The API's own answer for one of them: the same claims, named by their claimants.
    detail = get_json(client, "/v1/claims/taliban-panjshir-surrounded")
    assert {c["id"] for c in detail["contradicting_claims"]} == set(detail["contradicts"])
    entries = {
        li.attrs["data-id"]: li for li in page.find_all("li") if "entry-claim" in li.classes()
    }
    assert set(entries) == {c["id"] for c in claims}
    for claim in claims:
        fragments = _highlights(page, "claim", claim["id"])
        (ref,) = [
            a
            for f in fragments
            for a in f.find_all("a")
            if a.attrs["href"] == f"/v1/claims/{claim['id']}"
        ]
        entry = entries[claim["id"]]
        if not claim["contradicts"]:
            assert all("contradicted" not in f.classes() for f in fragments)
            assert "contradicted" not in entry.classes()
            assert not ref.attrs["data-ref"].startswith("\u26a0")
            continue
        # Marked by a class and a symbol, in the text and in the list.
        assert all("contradicted" in f.classes() for f in fragments)
        assert ref.attrs["data-ref"].startswith("\u26a0 C")
        assert "contradicted by" in fragments[0].attrs["title"]
        assert "contradicted" in entry.classes()
        (note,) = [s for s in entry.find_all("span") if "contra" in s.classes()]
        assert "\u26a0" in note.text()
        assert "Contradicted by" in note.text()
        linked = {a.attrs["data-id"]: a.attrs["href"] for a in note.find_all("a")}
        assert set(linked) == set(claim["contradicts"]), claim["id"]
        for other_id, href in linked.items():
            assert href == f"#claim-{other_id}"
            other = next(c for c in claims if c["id"] == other_id)
            assert f"({other['claimant']['name']})" in note.text()


def test_the_side_list_groups_claims_by_claimant_and_links_them(
    page: Node, claims: list[dict[str, Any]]
) -> None:
    by_id = {c["id"]: c for c in claims}
    anchors = {n.attrs["id"] for n in page.iter() if "id" in n.attrs}
    groups = [s for s in page.find_all("section") if "claimant" in s.classes()]
    seen: list[str] = []
    for group in groups:
        entries = [li for li in group.find_all("li") if "entry-claim" in li.classes()]
        assert entries
        heading = group.find_all("h3")[0].text()
        for entry in entries:
            claim = by_id[entry.attrs["data-id"]]
            assert claim["claimant"]["id"] == group.attrs["data-claimant-id"]
            assert heading.startswith(claim["claimant"]["name"])
            hrefs = [a.attrs["href"] for a in entry.find_all("a")]
            assert f"#claim-{claim['id']}" in hrefs
            assert f"/v1/claims/{claim['id']}" in hrefs
            assert f"claim-{claim['id']}" in anchors
            seen.append(claim["id"])
    assert sorted(seen) == sorted(by_id)
    assert len(groups) == len({c["claimant"]["id"] for c in claims})


def test_every_media_caption_is_highlighted_and_linked(client: TestClient, page: Node) -> None:
    media = get_json(client, "/v1/media", report_id=REPORT_ID, limit=500)["items"]
    assert len(media) == 17
    for item in media:
        fragments = _highlights(page, "media", item["id"])
        assert "".join(f.text() for f in fragments) == item["caption"], item["id"]
        (ref,) = [a for f in fragments for a in f.find_all("a") if "ref-media" in a.classes()]
        assert ref.attrs["href"] == f"/v1/media/{item['id']}"
        if item["posted_by"]:
            assert fragments[0].attrs["data-claimant"] == item["posted_by"]["name"]
            assert f"posted by {item['posted_by']['name']}" in fragments[0].attrs["title"]
        if item["claim_id"]:
            entry = next(li for li in page.find_all("li") if li.attrs.get("data-id") == item["id"])
            assert f"#claim-{item['claim_id']}" in {a.attrs["href"] for a in entry.find_all("a")}


def test_every_relation_span_is_highlighted_and_linked(client: TestClient, page: Node) -> None:
    relations: dict[str, dict[str, Any]] = {}
    for actor_id in ids(client, "/v1/actors", report_id=REPORT_ID):
        for relation in get_json(client, f"/v1/actors/{actor_id}")["relations"]:
            if relation["report_id"] == REPORT_ID and relation["direction"] == "outgoing":
                relations[relation["id"]] = {**relation, "subject_id": actor_id}
    assert len(relations) >= 20
    for relation_id, relation in relations.items():
        fragments = _highlights(page, "relation", relation_id)
        assert "".join(f.text() for f in fragments) == relation["quote"], relation_id
        refs = [a for f in fragments for a in f.children if isinstance(a, Node) and a.tag == "a"]
        assert [a.attrs["href"] for a in refs] == [f"/v1/actors/{relation['subject_id']}"]
    marked = {m.attrs["data-id"] for m in _text_of(page).find_all("mark", data_item="relation")}
    assert marked == set(relations)


def test_the_page_shows_the_report_and_fetches_nothing_from_elsewhere(
    page: Node, claims: list[dict[str, Any]]
) -> None:
    (title,) = page.find_all("h1")
    assert title.text() == "Afghanistan's last bastion against the Taliban"
    head = next(n for n in page.find_all("header") if "report-head" in n.classes())
    assert "MailOnline (Daily Mail)" in head.text()
    assert "24 August 2021" in head.text()
    assert "no URL recorded" in head.text()
    contradicted = sum(1 for claim in claims if claim["contradicts"])
    assert contradicted == 5
    assert f"30 claims ({contradicted} contradicted) · 17 media captions · 21 relations" in (
        head.text()
    )
    assert page.find_all("script") == []
    (stylesheet,) = page.find_all("link", rel="stylesheet")
    assert stylesheet.attrs["href"] == "/static/reading/reading.css"
    for node in page.iter():
        for name in ("href", "src"):
            if name in node.attrs:
                assert node.attrs[name].startswith(("/", "#")), node.attrs[name]


def test_the_stylesheet_is_served_with_the_package(client: TestClient) -> None:
    response = client.get("/static/reading/reading.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "mark.hl-claim" in response.text
    assert "white-space: pre-wrap" in response.text
    assert "@import" not in response.text
    assert "url(" not in response.text


def test_the_index_lists_the_reports_with_their_counts(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse(response.text)
    (row,) = page.find_all("tr")[1:]
    cells = [td.text().strip() for td in row.find_all("td")]
    claims = get_json(client, "/v1/claims", report_id=REPORT_ID, count="exact")["total"]
    media = get_json(client, "/v1/media", report_id=REPORT_ID, count="exact")["total"]
    events = get_json(client, "/v1/events", report_id=REPORT_ID, count="exact")["total"]
    assert cells == [
        "Afghanistan's last bastion against the Taliban",
        "MailOnline (Daily Mail)",
        "24 August 2021",
        str(claims),
        str(media),
        str(events),
        "JSON",
    ]
    hrefs = {a.attrs["href"] for a in page.find_all("a")}
    assert {f"/reports/{REPORT_ID}", f"/v1/reports/{REPORT_ID}", "/docs", "/v1/reports"} <= hrefs


def test_the_reading_view_is_not_part_of_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/reports/{report_id}", "/static/reading/reading.css"} & set(paths)
    assert (
        "open the reading view at [`/`](/)"
        in client.get("/openapi.json").json()["info"]["description"]
    )


def test_an_unknown_report_is_a_problem_or_a_page_for_a_browser(client: TestClient) -> None:
    response = client.get("/reports/no-such-report")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no report with id 'no-such-report'"
    response = client.get(
        "/reports/no-such-report", headers={"Accept": "text/html,application/xhtml+xml,*/*"}
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = parse(response.text)
    assert page.find_all("h1")[0].text() == "Not found"
    assert "no report with id 'no-such-report'" in page.text()


@pytest.mark.parametrize(
    "path",
    [
        "/reports/%00",
        "/reports/%FF%FE",
        "/reports/" + "x" * 5000,
        "/reports/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/reports/%E2%80%AE%F0%9F%92%A3",
        "/reports/..%2F..%2Fetc%2Fpasswd",
        "/reports/%20",
        "/reports/1%27%20OR%201%3D1--",
    ],
)
def test_hostile_report_ids_never_fail(client: TestClient, path: str) -> None:
    for accept in ("*/*", "text/html"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code in (400, 404), (path, response.text)
        if response.headers["content-type"] == "application/problem+json":
            assert response.json()["status"] == response.status_code
        else:
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert "<script>" not in response.text


def test_head_answers_the_reading_view(client: TestClient) -> None:
    for path in ("/", f"/reports/{REPORT_ID}", "/static/reading/reading.css"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
