"""The synthetic corpus: deterministic, faithful to the real shape, loaded by the bulk path."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from app.main import create_app
from app.models import Base, Claim, ClaimLink, Location, Media, SearchDocument
from app.synth import Corpus, synthesize
from bench.load import _ms
from tests.helpers import get_json, ids

CLAIMS = 2_000


@pytest.fixture(scope="module")
def synthetic(databases: object) -> Engine:
    engine: Engine = databases.create(seed=False)  # type: ignore[attr-defined]
    summary = synthesize(engine, claims=CLAIMS, seed=3)
    assert summary.rows["claim"] == CLAIMS
    return engine


def test_the_same_seed_gives_the_same_corpus() -> None:
    first = [chunk["claim"] for chunk in Corpus(500, seed=5).chunks()]
    again = [chunk["claim"] for chunk in Corpus(500, seed=5).chunks()]
    other = [chunk["claim"] for chunk in Corpus(500, seed=6).chunks()]
    assert first == again
    assert first != other


def test_every_span_is_the_report_text(synthetic: Engine) -> None:
    with synthetic.connect() as conn:
        mismatched = conn.execute(
            text(
                "SELECT count(*) FROM claim JOIN report ON report.id = claim.report_id"
                " WHERE substr(report.body, claim.span_start + 1,"
                " claim.span_end - claim.span_start)"
                " <> claim.quote"
            )
        ).scalar_one()
        media_mismatched = conn.execute(
            text(
                "SELECT count(*) FROM media JOIN report ON report.id = media.report_id"
                " WHERE substr(report.body, media.span_start + 1,"
                " media.span_end - media.span_start)"
                " <> media.caption"
            )
        ).scalar_one()
    assert (mismatched, media_mismatched) == (0, 0)


def test_the_corpus_has_the_real_shape(synthetic: Engine) -> None:
    with synthetic.connect() as conn:

        def count(model: type[Base]) -> int:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())

        assert count(Claim) == CLAIMS
        assert count(Media) == CLAIMS // 4
        assert count(ClaimLink) > 0
        assert count(Location) == 12 * 111
        assert count(SearchDocument) > CLAIMS
        precisions = dict(
            conn.execute(
                select(Claim.stated_on_precision, func.count()).group_by(Claim.stated_on_precision)
            ).all()
        )
        per_claimant = sorted(
            conn.execute(
                select(func.count()).select_from(Claim).group_by(Claim.claimant_id)
            ).scalars(),
            reverse=True,
        )
    assert set(precisions) == {"day", "month", "year"}
    assert precisions["day"] > precisions["month"] > precisions["year"]
    assert per_claimant[0] > 10 * per_claimant[len(per_claimant) // 2], "a long tail"


def test_the_api_serves_the_synthetic_corpus(synthetic: Engine) -> None:
    with TestClient(create_app(synthetic)) as client:
        page = get_json(client, "/v1/claims", claimant_id="synth-actor-0", limit=5)
        assert page["total"] > 5
        assert all(item["claimant"]["id"] == "synth-actor-0" for item in page["items"])
        walked = ids(client, "/v1/claims", count="none")
        assert len(walked) == len(set(walked)) == CLAIMS
        found = get_json(client, "/v1/claims", q="ambushed", limit=1)
        assert found["total"] > 0
        assert "ambushed" in found["items"][0]["quote"]


def test_a_second_corpus_into_the_same_database_is_refused(synthetic: Engine) -> None:
    with pytest.raises(ValueError, match="already holds a synthetic corpus"):
        synthesize(synthetic, claims=10, seed=1)


def test_wrk_latencies_are_read_in_milliseconds() -> None:
    assert _ms("850.00us") == pytest.approx(0.85)
    assert _ms("12.5ms") == 12.5
    assert _ms("1.20s") == 1200.0


def test_synth_command_reports_rows(
    make_database: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli
    from app.core.config import get_settings
    from app.core.db.engine import get_engine

    engine = make_database(seed=False)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["synth", "--claims", "300", "--seed", "2"])
        assert result.exit_code == 0, result.output
        assert "synthesized 300 claims" in result.output
        again = CliRunner().invoke(cli, ["synth", "--claims", "300"])
        assert again.exit_code == 1
        assert "nothing was written" in again.output
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()


def test_the_corpus_comes_with_the_claim_flags_the_importer_derives(synthetic: Engine) -> None:
    from app.importer.derived import refresh_claim_flags

    def flags() -> tuple[int, int]:
        with synthetic.connect() as conn:
            contested = conn.execute(
                select(func.count()).select_from(Claim).where(Claim.contested)
            ).scalar_one()
            quantified = conn.execute(
                select(func.count()).select_from(Claim).where(Claim.has_quantity)
            ).scalar_one()
        return int(contested), int(quantified)

    before = flags()
    with synthetic.begin() as conn:
        refresh_claim_flags(conn)
    assert flags() == before
    assert before[0] > 0
    assert before[1] > 0
