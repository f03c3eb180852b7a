"""Dependency aliases for routes."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.db.engine import Database


async def get_database(request: Request) -> Database:
    """The app's database: routes hand it their service call (`await db.run(...)`), which
    runs off the event loop under the time budget. (`async`, so FastAPI does not send this
    one-liner to its thread pool.)"""
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(get_database)]


def dialect_of(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name
