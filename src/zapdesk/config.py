"""Application settings, read from the environment (and a `.env` file) once per process."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "change-me-access"  # noqa: S105 - a placeholder production refuses
DEFAULT_JWT_REFRESH_SECRET = "change-me-refresh"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettings(ValueError):
    """Production was asked to start with a secret it must not use."""


class Settings(BaseSettings):
    # Each setting is read from the environment variable of its name in capitals (DATABASE_URL, PORT…);
    # only the environment has other names. populate_by_name: a child worker gets its parent's settings as JSON.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        validation_alias=AliasChoices("ZAPDESK_ENV", "NODE_ENV", "environment"),
    )
    data_dir: Path = Path("data")
    auth_sessions_dir: Path = Path("auth_sessions")
    database_url: str = ""
    direct_url: str = ""
    # Poolers in transaction mode (pgbouncer, Supabase's) break asyncpg's prepared statements.
    database_pooled: bool | None = None
    redis_url: str = ""
    # Pub/sub channels are global to a Redis server: deployments (or test runs) sharing one need distinct prefixes.
    redis_prefix: str = "zapdesk"

    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_refresh_secret: str = DEFAULT_JWT_REFRESH_SECRET
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=30, ge=1)
    login_attempts_per_minute: int = Field(default=10, ge=1)

    host: str = "0.0.0.0"
    port: int = Field(default=3001, ge=1, le=65535)
    public_url: str = ""

    admin_email: str = "admin@zapdesk.local"
    admin_password: str = ""

    simulator_enabled: bool | None = None
    simulator_url: str = ""

    # Engine worker processes: `zapdesk run` supervises this many; `zapdesk api` runs none (workers run apart).
    run_workers: bool = True
    worker_processes: int = Field(default=1, ge=1, le=32)
    max_sessions_per_worker: int = Field(default=500, ge=1)
    # neonize keeps a thread for every QR window that ended unscanned (and never gives it back): past this many, a
    # worker hands its sessions over and is started again, the only way to free them.
    leaked_threads_limit: int = Field(default=32, ge=1)
    # A session's lease lives this long without a heartbeat; heartbeats come three times per lease.
    lease_seconds: float = Field(default=15.0, gt=0)
    # A session reconnecting longer than this is torn down and started again.
    reconnect_watchdog_seconds: float = Field(default=120.0, gt=0)
    # Failed connects are retried with capped exponential backoff and jitter, this many times, then FAILED.
    connect_retry_limit: int = Field(default=8, ge=0)
    connect_retry_max_seconds: float = Field(default=60.0, gt=0)

    # Which program talks WhatsApp: our own on whatsmeow ("zapdesk-wa", which acknowledges a message only after
    # it is committed), or neonize (acknowledges on arrival), kept until ours has been proven on real numbers.
    whatsapp_engine: Literal["zapdesk-wa", "neonize"] = "zapdesk-wa"
    # The zapdesk-wa binary; unset: engine/bin/zapdesk-wa of the source checkout (built by `make engine`).
    whatsapp_engine_binary: Path | None = None
    # Extra flags for it. Only the debug build (`make engine-debug`, for tests and benchmarks) has any: -offline.
    whatsapp_engine_flags: str = ""
    # How long WhatsApp's receipt waits for our commit; past it the message is delivered again later.
    whatsapp_verdict_timeout_seconds: float = Field(default=60.0, gt=0)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=16 * 1_048_576, ge=1024)
    # A client that missed more events than this (positions, whoever could see them) reloads instead of catching up.
    event_replay_limit: int = Field(default=2_000, ge=1)
    metrics_token: str = ""
    # Browser origins allowed to open Socket.IO connections, comma-separated ("*" for any); empty: same origin only.
    cors_origins: str = ""
    # Fernet keys (comma-separated, the first encrypts) for the secrets kept in the database: Cloud API tokens and
    # app secrets, outgoing webhook secrets. Unset: outside production one derived from JWT_SECRET; in production
    # storing such a secret is refused.
    encryption_key: str = ""
    # Webhook endpoints and media URLs may point at private, loopback or link-local addresses (our own network).
    # Unset: allowed outside production (development and tests post to loopback), refused in production.
    allow_private_targets: bool | None = None
    # Outgoing webhooks are retried with exponential backoff from the base delay, capped, for the window.
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    webhook_retry_window_seconds: float = Field(default=86400.0, gt=0)
    # Meta's Graph API, versioned; the simulator's fake one in demos and tests (e.g. http://host/simulator/graph).
    cloud_graph_url: str = "https://graph.facebook.com"
    cloud_graph_version: str = "v23.0"
    # The built web UI; unset: `web/dist` of the source checkout (see zapdesk.web).
    web_dist_dir: Path | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'zapdesk.db'}"
        if self.simulator_enabled is None:
            self.simulator_enabled = self.environment is not Environment.PRODUCTION
        if self.allow_private_targets is None:
            self.allow_private_targets = self.environment is not Environment.PRODUCTION
        return self

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def async_database_url(self) -> str:
        return to_async_url(self.database_url)

    @property
    def migration_database_url(self) -> str:
        return to_async_url(self.direct_url or self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.async_database_url.startswith("sqlite")

    @property
    def uses_pooler(self) -> bool:
        if self.database_pooled is not None:
            return self.database_pooled
        url = self.database_url
        return "pgbouncer=true" in url or "pooler.supabase.com" in url or ":6543/" in url

    @property
    def socketio_cors_origins(self) -> list[str] | str | None:
        """python-socketio's `cors_allowed_origins`: None checks the Origin against the Host (same origin)."""
        origins = [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]
        if not origins:
            return None
        return "*" if "*" in origins else origins

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    def check_production_secrets(self) -> None:
        """Refuse to run in production with secrets anyone could read in our source."""
        if not self.is_production:
            return
        for variable, value, default in (
            ("JWT_SECRET", self.jwt_secret, DEFAULT_JWT_SECRET),
            ("JWT_REFRESH_SECRET", self.jwt_refresh_secret, DEFAULT_JWT_REFRESH_SECRET),
        ):
            if not value or value == default or len(value) < 32:
                raise InsecureSettings(
                    f"{variable} must be set to a random value of at least 32 characters in production "
                    f"(for example: openssl rand -hex 32)."
                )
        if self.jwt_secret == self.jwt_refresh_secret:
            raise InsecureSettings("JWT_SECRET and JWT_REFRESH_SECRET must differ.")
        if self.simulator_enabled:
            # The fake network has no accounts: anyone could link numbers or write as any customer.
            raise InsecureSettings(
                "SIMULATOR_ENABLED must not be true in production: the simulator is for demos and tests."
            )


def to_async_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick our async drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
