"""Settings, read from the environment (and an optional `.env` file)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("data") / "conflict-reports.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH.as_posix()}",
        description="SQLAlchemy URL. SQLite (the default) or postgresql+psycopg://…",
    )
    seed_path: Path = Field(default=Path("seed"), description="Where `seed` looks by default.")
    sql_echo: bool = False

    @field_validator("database_url")
    @classmethod
    def _explicit_driver(cls, value: str) -> str:
        return normalise_database_url(value)


def normalise_database_url(url: str) -> str:
    """Give bare `postgresql://` URLs the psycopg 3 driver, as users paste them from elsewhere."""
    for bare in ("postgres://", "postgresql://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
