"""Server settings: one frozen value passed to the app factory (no module-level state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openapi import vendors as known_vendors

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """What `connmock serve` can change; the defaults are what a frontend developer wants."""

    vendors: tuple[str, ...] = field(default_factory=known_vendors)  # the bundled four and any registered
    single_vendor_at_root: bool = False  # `--vendor NAME`: that vendor mounted at `/`
    seed: int = 0
    fixtures_path: Path | None = None
    latency_ms: int = 0
    max_body_bytes: int = 1024 * 1024  # a larger body is a 413, refused before it is read
    journal_size: int = 500  # requests kept by the journal (each body kept up to `journal_body_bytes`)
    journal_body_bytes: int = 16 * 1024
    store_capacity: int = 1_000_000  # records; past it every write is the vendor's documented "store full"
    state_file: Path | None = None  # `--state-file`: state kept across restarts (see mock_server/store/)
    state_save_delay: float = 0.5  # seconds without writes before the write log is compacted into the state file
    store_url: str | None = None  # `--store redis://HOST:PORT/DB`: state shared by every worker; default in memory
    store_namespace: str = ""  # keys under `connmock:<namespace>:`, so several mocks can share one Redis
    cors: bool = True
    admin_token: str | None = None
    public_url: str | None = None  # base URL used in links the mock hands out; default: from the request
    webhooks: tuple[str, ...] = ()  # `--webhook-url [TENANT:]VENDOR=URL` (see mock_server/webhooks/)
    webhook_retry_delays: tuple[float, ...] = (3.0, 6.0)  # seconds before each retry (Nango's: 3 s, 6 s)
    extra: dict[str, str] = field(default_factory=dict)

    def mount(self, vendor: str) -> str:
        """The path prefix a vendor's API lives under."""
        return "" if self.single_vendor_at_root else f"/{vendor}"
