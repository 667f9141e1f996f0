"""Infrastructure settings: where the database and output files live.

Built on demand (never at import) from the environment and an optional `.env`.
Domain settings (weights, thresholds, solver limits) are not here: they are
frozen config objects passed explicitly and stored with every result.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import Field, SecretStr
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
        default=None, description="Fix the calendar date (publication, expiry) for reproducible runs."
    )

    # HTTP service
    host: str = Field(default="127.0.0.1", description="Address `partnermatch serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64, description="Server processes (use 1 with SQLite).")
    token_minutes: int = Field(default=720, ge=1, description="Lifetime of a login token.")
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, description="Largest JSON request body.")
    max_upload_bytes: int = Field(default=10_000_000, ge=1_000, description="Largest bulk upload.")
    job_threads: int = Field(default=2, ge=1, le=32, description="Background proposal solves at once.")
    request_threads: int = Field(
        default=16, ge=1, le=64, description="Requests a worker serves at once; more only contend for the GIL."
    )
    max_time_limit: int = Field(default=300, ge=1, description="Longest solver time limit a request may ask for.")

    # Sign-in throttling: after `sign_in_free_failures` wrong passwords in a row an account waits
    # `sign_in_delay_seconds`, doubling with each further failure; at `sign_in_lockout` it is locked
    # until an administrator unlocks it. One address gets `sign_in_address_free` failures per window.
    sign_in_free_failures: int = Field(default=3, ge=1, le=100)
    sign_in_lockout: int = Field(default=10, ge=2, le=1000)
    sign_in_delay_seconds: float = Field(default=1.0, ge=0.0, le=60.0)
    sign_in_max_delay_seconds: float = Field(default=900.0, ge=0.0)
    sign_in_address_free: int = Field(default=20, ge=1, le=10_000)
    sign_in_window_minutes: int = Field(default=15, ge=1, le=1440)

    # Identity resolution at import (profiles.identity): an incoming firm scoring at least `identity_link_at`
    # against a stored firm is linked to it (merged, reversibly); from `identity_review_at` an advisor decides.
    # Defaults chosen by `python -m bench.identity` (docs/benchmarks.md): link precision ≥ 0.99, and recall of
    # true pairs in link + review ≥ 0.98 with the smallest review queue.
    identity_link_at: float = Field(default=0.85, gt=0.0, le=1.0)
    identity_review_at: float = Field(default=0.45, gt=0.0, le=1.0)

    # Nightly runs
    state_dir: Path | None = Field(
        default=None,
        description="Where nightly runs keep their matching state (default: <output_dir>/state). "
        "A cache: when it is lost the next run re-scores everything.",
    )
    vector_cache: Path | None = Field(
        default=None,
        description="Where multilingual text vectors are kept between runs, by text (default: "
        "$XDG_CACHE_HOME/partnermatch or ~/.cache/partnermatch). A cache: when it is "
        "lost the texts are embedded again.",
    )
    nightly_at: str = Field(
        default="02:30",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        description="Time of day `partnermatch schedule` starts the nightly run (HH:MM).",
    )
    timezone: str = Field(default="Europe/Copenhagen", description="Time zone of `nightly_at`.")
    drift_limit: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Refit the text model when this share of the corpus changed since the fit.",
    )
    executor: str = Field(
        default="local",
        pattern="^(local|dask)$",
        description="Where the scoring stage runs: in-process or on a Dask cluster.",
    )
    dask_scheduler: str | None = Field(default=None, description="Dask scheduler address; none starts a local cluster.")
    dask_workers: int = Field(default=2, ge=1, le=256, description="Workers of a local Dask cluster.")
    match_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Processes an in-process match run forks for single-threaded work: scoring blocks of "
        "pairs, explaining the rows while they are written (0: one per core; 1: none). The stored "
        "matches are the same for any number.",
    )
    expiry_warning_days: int = Field(default=14, ge=1, le=90, description="Warn owners this long before expiry.")

    # Digests and mail
    smtp_host: str | None = Field(default=None, description="SMTP server; without one messages wait in the outbox.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout: float = Field(default=30.0, gt=0)
    mail_from: str = Field(default="partnermatch@localhost", description="Sender address of digests and warnings.")
    mail_max_attempts: int = Field(default=8, ge=1, le=100, description="Attempts before a message is given up.")
    digest_min_score: float = Field(
        default=0.3, ge=0.0, le=1.0, description="Default: matches below this score are left out of digests."
    )
    digest_max_items: int = Field(default=10, ge=1, le=200, description="Default: most items per digest section.")
    digest_offer_cap: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Most digests one offer (BO/TO) is pushed in per run, so a few "
        "strong offerers do not crowd out the rest.",
    )
    map_top_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Cluster map: flag a firm whose largest customer or supplier has more than this share.",
    )
    map_hhi: float = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Cluster map: flag a Herfindahl index of customer or supplier shares above this.",
    )
    map_rare_firms: int = Field(
        default=2, ge=1, le=50, description="Cluster map: a capability held by at most this many firms is rare."
    )
    map_strong_match: float = Field(
        default=0.4, ge=0, le=1, description="Cluster map: matches at least this strong join firms in the network."
    )
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base address used in links in messages.")
    feed_settle_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="Profile change feed: changes younger than this wait for the next read, so that a "
        "transaction committing late cannot fall behind a cursor already handed out.",
    )

    def now(self) -> datetime:
        return datetime.now(UTC)

    def current_date(self) -> date:
        return self.today or self.now().date()

    def matching_processes(self) -> int:
        return self.match_processes or max(1, os.cpu_count() or 1)

    def nightly_state_dir(self) -> Path:
        return self.state_dir or self.output_dir / "state"

    def vector_cache_dir(self) -> Path:
        if self.vector_cache is not None:
            return self.vector_cache
        base = os.environ.get("XDG_CACHE_HOME")
        return (Path(base) if base else Path.home() / ".cache") / "partnermatch"


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
