"""Infrastructure settings: where the database and output files live.

Built on demand (never at import) from the environment and an optional `.env`.
Domain settings (weights, thresholds, solver limits) are not here: they are
frozen config objects passed explicitly and stored with every result.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="PARTNERMATCH_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///partnermatch.db",
        validation_alias="DATABASE_URL",
        description="Any SQLAlchemy URL; SQLite file by default.",
    )
    output_dir: Path = Field(default=Path("out"), description="Where documents and exports go.")
    today: date | None = Field(
        default=None, description="Fix the calendar date (publication, expiry) for reproducible runs.")

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def current_date(self) -> date:
        return self.today or self.now().date()


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
