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

    # HTTP service
    host: str = Field(default="127.0.0.1", description="Address `partnermatch serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64, description="Server processes (use 1 with SQLite).")
    token_minutes: int = Field(default=720, ge=1, description="Lifetime of a login token.")
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, description="Largest JSON request body.")
    max_upload_bytes: int = Field(default=10_000_000, ge=1_000, description="Largest bulk upload.")
    job_threads: int = Field(default=2, ge=1, le=32, description="Background proposal solves at once.")
    request_threads: int = Field(default=16, ge=1, le=64,
                                 description="Requests a worker serves at once; more only contend for the GIL.")
    max_time_limit: int = Field(default=300, ge=1, description="Longest solver time limit a request may ask for.")

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def current_date(self) -> date:
        return self.today or self.now().date()


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
