import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class ApiKey(Base):
    """A key to the API. The key itself is shown once, when it is made: only its SHA-256
    (`secret_hash`) and its first characters (`hint`, to recognise it in a list) are kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    # read | write | admin
    scope: Mapped[str] = mapped_column(String(10))
    hint: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A write key that may replace and delete only the reports it created.
    own_reports_only: Mapped[bool] = mapped_column(Boolean, server_default=false())

    __table_args__ = (
        Index("ix_api_key_secret_hash", "secret_hash", unique=True),
        Index("ix_api_key_name", "name", unique=True),
    )
