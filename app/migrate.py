"""Running Alembic from the application (CLI and tests), with the URL given explicitly."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

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


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def downgrade_to_base(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")
