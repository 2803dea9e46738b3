"""Everything one app instance shares: settings, seed records, store, journal, clock and ids.

Built fresh by the app factory for every app, so tests never share state.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from faker import Faker
from ulid import ULID

from fixtures import SeedData, load_seed
from mock_server.armed.registry import Scenarios
from mock_server.journal import Journal
from mock_server.settings import Settings
from mock_server.store import MemoryStore, PersistentStore, StateFile, Store
from mock_server.webhooks import Deliveries, Webhooks
from speclib import Spec, load_spec
from speclib.secrets import SecretRule, secret_rules

__all__ = ["Clock", "IdSource", "StoreChoiceError", "World", "build_world", "default_store"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class IdSource:
    """Fresh identifiers. Random (never seeded), so several workers can never mint the same id."""

    def uuid4(self) -> str:
        return str(uuid.uuid4())

    def ulid(self) -> str:
        return str(ULID())

    def hex(self, length: int) -> str:
        return os.urandom((length + 1) // 2).hex()[:length]


@dataclass(slots=True)
class VendorSpec:
    spec: Spec
    rules: dict[str, tuple[SecretRule, ...]]


@dataclass(slots=True)
class World:
    settings: Settings
    seed: SeedData
    store: Store
    journal: Journal
    clock: Clock
    ids: IdSource
    faker: Faker
    webhooks: Webhooks
    specs: dict[str, VendorSpec] = field(default_factory=dict)
    scenarios: Scenarios = field(default_factory=Scenarios)  # armed through /__connmock/scenarios

    def rules(self, vendor: str, operation_id: str) -> tuple[SecretRule, ...]:
        return self.specs[vendor].rules.get(operation_id, ())


def default_store(settings: Settings) -> Store:
    """In memory, capped at `store_capacity`; kept in `state_file` when one is given (loaded here); or in the
    Redis of `store_url`, which keeps its own state (so a state file is refused beside it)."""
    if settings.store_url is not None:
        return shared_store(settings)
    memory = MemoryStore(settings.store_capacity)
    if settings.state_file is None:
        return memory
    return PersistentStore(memory, StateFile(settings.state_file), settings.state_save_delay)


class StoreChoiceError(ValueError):
    """The settings name a store that cannot be used; the message says why (shown by `connmock serve`)."""


def shared_store(settings: Settings) -> Store:
    """The Redis store; imported here only, so the in-memory default needs no `redis` package."""
    url = settings.store_url or ""
    if settings.state_file is not None:
        raise StoreChoiceError("--state-file keeps in-memory state; a Redis store keeps its own (use one of them)")
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise StoreChoiceError(f"unsupported store {url!r}: use redis://HOST:PORT/DB")
    try:
        from mock_server.store.redis import RedisStore
    except ModuleNotFoundError as exc:
        if exc.name != "redis":
            raise
        raise StoreChoiceError("a Redis store needs the redis package: pip install 'connmock[redis]'") from exc
    try:
        return RedisStore(url, namespace=settings.store_namespace, capacity=settings.store_capacity)
    except ValueError as exc:  # a malformed URL or namespace
        raise StoreChoiceError(str(exc)) from exc


def build_world(settings: Settings, store: Store | None = None, clock: Clock | None = None) -> World:
    faker = Faker()
    faker.seed_instance(settings.seed)
    seed = load_seed(settings.fixtures_path)
    journal = Journal(settings.journal_size, settings.journal_body_bytes)
    ticking: Clock = clock or SystemClock()
    world = World(
        settings=settings,
        seed=seed,
        store=store or default_store(settings),
        journal=journal,
        clock=ticking,
        ids=IdSource(),
        faker=faker,
        webhooks=Webhooks(seed, Deliveries(journal, lambda: ticking.now().isoformat(), settings.webhook_retry_delays),
                          settings.webhooks),
    )
    for vendor in settings.vendors:
        spec = load_spec(vendor)
        world.specs[vendor] = VendorSpec(spec=spec, rules=secret_rules(spec))
    return world
