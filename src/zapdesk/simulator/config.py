"""The simulator network's own settings: where it keeps its state and how fast its QR codes and receipts go."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from zapdesk.config import Settings


class SimulatorConfig(BaseSettings):
    """Read from `SIMULATOR_*` environment variables; defaults follow real WhatsApp's timings."""

    model_config = SettingsConfigDict(env_prefix="SIMULATOR_", env_file=".env", extra="ignore")

    state_file: Path = Path("data/simulator.db")
    # One QR window: `qr_codes` codes, the first valid `qr_first_seconds`, each next one `qr_next_seconds`.
    qr_first_seconds: float = Field(default=60.0, gt=0)
    qr_next_seconds: float = Field(default=20.0, gt=0)
    qr_codes: int = Field(default=6, ge=1, le=100)
    # Customer phones are always online: a message reaches them this long after it was sent.
    receipt_delay_seconds: float = Field(default=0.5, ge=0)
    # WhatsApp's media servers take a while to hand over a file: each download waits this long first.
    media_delay_seconds: float = Field(default=0.0, ge=0)
    # How long a link may stay silent after opening before it must have said hello.
    hello_timeout_seconds: float = Field(default=10.0, gt=0)
    # The fake Cloud API retries a webhook delivery answered non-2xx: first after this long, then twice as long
    # each time up to the maximum, for as long as Meta does (7 days).
    cloud_retry_first_seconds: float = Field(default=5.0, gt=0)
    cloud_retry_max_seconds: float = Field(default=900.0, gt=0)
    cloud_retry_for_seconds: float = Field(default=7 * 24 * 3600.0, gt=0)
    cloud_concurrent_deliveries: int = Field(default=32, ge=1, le=512)

    @classmethod
    def for_server(cls, settings: Settings) -> SimulatorConfig:
        """The simulator mounted inside the main server keeps its state next to the app's data."""
        config = cls()
        if "state_file" not in config.model_fields_set:
            config = config.model_copy(update={"state_file": settings.data_dir / "simulator.db"})
        return config

    @property
    def qr_window_seconds(self) -> float:
        return self.qr_first_seconds + self.qr_next_seconds * (self.qr_codes - 1)
