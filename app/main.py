"""The application factory."""

from fastapi import FastAPI
from sqlalchemy import Engine, text

from app.core.db import get_engine, session_factory
from app.core.deps import SessionDep
from app.core.errors import install_error_handlers
from app.reports.router import router as reports_router

DESCRIPTION = """
Structured conflict reports: who took part, where, who said what and when, what was shown
and what happened, every fact traceable to the exact characters of its source.

Every list answers `{"items": [...], "next_cursor": ...}`; every error is
`application/problem+json` (RFC 9457).
"""


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="conflict-reports",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "reports", "description": "Source documents, their text kept verbatim."},
            {"name": "service", "description": "Health of the service."},
        ],
    )
    app.state.engine = engine or get_engine()
    app.state.sessionmaker = session_factory(app.state.engine)
    install_error_handlers(app)
    app.include_router(reports_router)

    @app.get("/healthz", tags=["service"], summary="Health check")
    def healthz(session: SessionDep) -> dict[str, str]:
        """`ok` when the service answers and its database does too."""
        session.execute(text("SELECT 1"))
        return {"status": "ok", "database": app.state.engine.dialect.name}

    return app
