"""How good a draft is: `make eval-draft` scores `conflict-reports draft` against gold bundles.

Media items are scored too: a proposed item is right when its caption's span and its kind
are the gold's.

Per claim the draft proposes, a match is the gold claim with the same span, ignoring the
punctuation, quotation marks and spaces around it; a match is right when its claimant is
too (the target's measure), and its channel and stated date are scored apart. Direct speech
(a gold quote between quotation marks) and indirect speech (anything else: "X said that …",
the report's own assertions) are scored apart, with precision, recall and F1 each.

The gold, in two sets scored apart:

- tuned: the seed's bundle and the hand-annotated articles under `tests/drafting_gold/`,
  which the rules were written against;
- held out: the articles under `tests/drafting_gold/unseen/`, written by another hand and
  not read by the rules' author: the figures on articles not seen.

Each draft is given its gold's actors, as the database knows the actors of the reports
loaded on a conflict before; its places it finds alone.

    python -m bench.eval_draft [--save]
"""

import argparse
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.core.spans import TextIndex
from app.drafting.draft import KnownActor, make_draft

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seed" / "000_panjshir-last-bastion.yaml"
GOLD = ROOT / "tests" / "drafting_gold"
UNSEEN = GOLD / "unseen"
SETS = {"tuned": "the seed and tests/drafting_gold/", "held_out": "tests/drafting_gold/unseen/"}
RESULTS = ROOT / "bench" / "results" / "eval-draft"
_AROUND = " \t\n.,;:!?\"'“”‘’()[]—–-…"
_OPENING = "\"'“‘"


@dataclass
class Scores:
    proposed: int = 0
    gold: int = 0
    right: int = 0  # exact span and claimant

    def add(self, other: "Scores") -> None:
        self.proposed += other.proposed
        self.gold += other.gold
        self.right += other.right

    def precision(self) -> float | None:
        return self.right / self.proposed if self.proposed else None

    def recall(self) -> float | None:
        return self.right / self.gold if self.gold else None

    def f1(self) -> float | None:
        p, r = self.precision(), self.recall()
        if not p or not r:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)


@dataclass
class Article:
    name: str
    direct: Scores = field(default_factory=Scores)
    indirect: Scores = field(default_factory=Scores)
    spans: int = 0  # matched spans, whatever the claimant
    channels: int = 0  # of the matched, the channel right
    dates_proposed: int = 0
    dates_right: int = 0
    media: Scores = field(default_factory=Scores)  # exact caption span and kind


def _bare(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _AROUND:
        start += 1
    while end > start and text[end - 1] in _AROUND:
        end -= 1
    return start, end


def _is_direct(text: str, start: int, end: int) -> bool:
    """Between quotation marks: the mark right before the words (spaces aside)."""
    before = text[:start].rstrip(" \t")
    return bool(before) and before[-1] in _OPENING


def score(name: str, text: str, bundle: dict[str, Any]) -> Article:
    report = bundle["report"]
    actors = [
        KnownActor(a["id"], a["name"], a["kind"], tuple(a.get("aliases") or ()))
        for a in bundle.get("actors", [])
    ]
    published = dt.date.fromisoformat(str(report["published_on"]))
    index = TextIndex(text)
    gold: dict[tuple[int, int], dict[str, Any]] = {}
    for claim in bundle.get("claims", []):
        span = index.locate(claim["quote"], occurrence=claim.get("occurrence"))
        gold[_bare(text, span.start, span.end)] = claim
    draft = make_draft(text, published=published, actors=actors, outlet=report.get("publisher"))
    article = Article(name)
    gold_media = {
        (span.start, span.end, item["kind"])
        for item in bundle.get("media", [])
        for span in [index.locate(item["caption"], occurrence=item.get("occurrence"))]
    }
    drafted_media = {
        (span.start, span.end, item["kind"])
        for item in draft.bundle["media"]
        for span in [index.locate(item["caption"], occurrence=item.get("occurrence"))]
    }
    article.media = Scores(len(drafted_media), len(gold_media), len(gold_media & drafted_media))
    for key in gold:
        (article.direct if _is_direct(text, *key) else article.indirect).gold += 1
    for claim in draft.bundle["claims"]:
        span = index.locate(claim["quote"], occurrence=claim.get("occurrence"))
        key = _bare(text, span.start, span.end)
        kind = article.direct if _is_direct(text, *key) else article.indirect
        kind.proposed += 1
        expected = gold.get(key)
        if expected is None:
            continue
        article.spans += 1
        if expected["claimant"] == claim["claimant"]:
            kind.right += 1
        if expected.get("channel") == claim["channel"]:
            article.channels += 1
        if "stated_on" in claim:
            article.dates_proposed += 1
            if str(expected.get("stated_on")) == str(claim["stated_on"]):
                article.dates_right += 1
    return article


def gold_articles(which: str = "tuned") -> list[tuple[str, str, dict[str, Any]]]:
    """(name, text, bundle) of every gold article of a set (`tuned` or `held_out`)."""
    found = []
    paths = (
        [SEED, *sorted(GOLD.glob("*.yaml"))] if which == "tuned" else sorted(UNSEEN.glob("*.yaml"))
    )
    for path in paths:
        bundle = yaml.safe_load(path.read_text(encoding="utf-8"))
        report = bundle["report"]
        text = report.get("text")
        if text is None:
            text = (path.parent / report["text_file"]).read_text(encoding="utf-8")
        found.append((path.stem, text, bundle))
    return found


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(articles: list[Article]) -> tuple[str, dict[str, Any]]:
    total = Article("overall")
    for article in articles:
        total.direct.add(article.direct)
        total.indirect.add(article.indirect)
        total.spans += article.spans
        total.channels += article.channels
        total.dates_proposed += article.dates_proposed
        total.dates_right += article.dates_right
        total.media.add(article.media)
    lines = [
        "| article | direct P | direct R | direct F1 | indirect P | indirect R | indirect F1 "
        "| channel right | stated dates right | media P | media R |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    figures: dict[str, Any] = {}
    for article in [*articles, total]:
        d, i, m = article.direct, article.indirect, article.media
        dates = article.dates_right / article.dates_proposed if article.dates_proposed else None
        channels = article.channels / article.spans if article.spans else None
        lines.append(
            f"| {article.name} | {_figure(d.precision())} ({d.right}/{d.proposed}) "
            f"| {_figure(d.recall())} ({d.right}/{d.gold}) | {_figure(d.f1())} "
            f"| {_figure(i.precision())} ({i.right}/{i.proposed}) "
            f"| {_figure(i.recall())} ({i.right}/{i.gold}) | {_figure(i.f1())} "
            f"| {_figure(channels)} | {_figure(dates)} ({article.dates_right}/"
            f"{article.dates_proposed}) | {_figure(m.precision())} ({m.right}/{m.proposed}) "
            f"| {_figure(m.recall())} ({m.right}/{m.gold}) |"
        )
        figures[article.name] = {
            "direct": {
                "precision": d.precision(),
                "recall": d.recall(),
                "f1": d.f1(),
                "proposed": d.proposed,
                "gold": d.gold,
                "right": d.right,
            },
            "indirect": {
                "precision": i.precision(),
                "recall": i.recall(),
                "f1": i.f1(),
                "proposed": i.proposed,
                "gold": i.gold,
                "right": i.right,
            },
            "media": {"precision": m.precision(), "recall": m.recall(), "gold": m.gold},
            "channel_right": channels,
            "dates_right": dates,
            "dates_proposed": article.dates_proposed,
        }
    return "\n".join(lines), figures


def evaluate(which: str = "tuned") -> tuple[str, dict[str, Any]]:
    """The table and figures of one set of gold articles."""
    return table([score(name, text, bundle) for name, text, bundle in gold_articles(which)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="write bench/results/eval-draft/")
    args = parser.parse_args(argv)
    sets: dict[str, Any] = {}
    for which, where in SETS.items():
        text, figures = evaluate(which)
        sets[which] = {"gold": where, "table": text, "figures": figures}
        print(f"\n{which.replace('_', ' ')} ({where}):\n\n{text}")
    print(
        "\ntargets: direct P >= 0.90, R >= 0.80; indirect P >= 0.70, R >= 0.50; "
        "stated dates >= 0.90 right"
    )
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        target = RESULTS / f"{dt.date.today().isoformat()}.json"
        recorded = {"date": dt.date.today().isoformat(), "sets": sets}
        target.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
        print(f"results in {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
