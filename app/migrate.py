"""Running Alembic from the application (CLI and tests), with the URL given explicitly."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from app.core.db.engine import build_engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Engine-specific full-text objects the migrations make outside the ORM metadata.
UNMANAGED_NAMES = ("search_fts", "ix_search_document_tsv")
UNMANAGED_COLUMNS = ("search_tsv",)


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Tell autogenerate (and `alembic check`) to leave the full-text objects alone."""
    if type_ in {"table", "index"} and name is not None:
        return not name.startswith(UNMANAGED_NAMES)
    if type_ == "column" and name is not None:
        return name not in UNMANAGED_COLUMNS
    return True


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser treats % as interpolation: escape it for URLs with encoded characters.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class MigrationResult:
    """The revision the database was at (None: no schema) and the one it is at now."""

    before: str | None
    after: str | None

    @property
    def message(self) -> str:
        if self.before is None:
            return f"created the schema at revision {self.after}"
        if self.before == self.after:
            return f"already at the newest revision {self.after}"
        return f"upgraded from revision {self.before} to {self.after}"


def current_revision(database_url: str) -> str | None:
    engine = build_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade_to_head(database_url: str) -> MigrationResult:
    before = current_revision(database_url)
    command.upgrade(alembic_config(database_url), "head")
    return MigrationResult(before=before, after=current_revision(database_url))


def downgrade_to_base(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")
