"""Webhook delivery off the request path: a bounded queue, one dispatcher task, retries with backoff.

`Deliveries.enqueue` never waits: it puts the webhook on the queue (or journals it as dropped when the queue
is full) and returns. The dispatcher starts on the first webhook, on the running event loop, and hands each
webhook to a task of its own, at most `concurrency` at once (one slow receiver never holds up the others); while
all of them are busy, webhooks wait in the queue, so memory stays bounded by `queue_size + concurrency`.
Every attempt is journalled. `aclose` (the app's shutdown) gives running deliveries a moment, then stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mock_server.journal import DeliveryEntry, Journal
from mock_server.webhooks.targets import shown_url

__all__ = ["Deliveries", "Webhook"]

logger = logging.getLogger("connmock.webhooks")


@dataclass(frozen=True, slots=True)
class Webhook:
    """One webhook, signed and ready: the same bytes and headers go to every URL and every attempt."""

    vendor: str
    tenant: str
    event: str
    urls: tuple[str, ...]
    payload: bytes
    headers: dict[str, str]
    body: Any  # the payload as JSON, for the journal


def retryable(status: int | None) -> bool:
    """Nango's `shouldRetry`: a network error (no status) or a 5xx is retried; 3xx and 4xx are not."""
    return status is None or status >= 500


class Deliveries:
    def __init__(self, journal: Journal, now: Callable[[], str], delays: tuple[float, ...], *,
                 queue_size: int = 1000, concurrency: int = 8, timeout: float = 20.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.journal = journal
        self.now = now
        self.delays = delays  # seconds before each retry: len(delays) + 1 attempts at most
        self.queue_size = queue_size
        self.concurrency = concurrency
        self.timeout = timeout
        self.transport = transport
        self._queue: asyncio.Queue[Webhook] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pending = 0  # queued or being delivered

    def enqueue(self, webhook: Webhook) -> None:
        """Queue `webhook`; called from a request handler, so it returns at once."""
        self.start()
        assert self._queue is not None
        try:
            self._queue.put_nowait(webhook)
            self._pending += 1
        except asyncio.QueueFull:
            for url in webhook.urls:
                self.record(webhook, str(uuid.uuid4()), url, 0, None, "the delivery queue is full", "dropped")

    def start(self) -> None:
        if self._dispatcher is not None and not self._dispatcher.done():
            return
        self._queue = asyncio.Queue(self.queue_size)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._client = httpx.AsyncClient(timeout=self.timeout, transport=self.transport, follow_redirects=False,
                                         trust_env=False)
        self._dispatcher = asyncio.get_running_loop().create_task(self.dispatch(), name="connmock-webhooks")

    async def dispatch(self) -> None:
        assert self._queue is not None and self._slots is not None
        while True:
            await self._slots.acquire()  # a free slot first: until then webhooks wait in the bounded queue
            webhook = await self._queue.get()
            task = asyncio.get_running_loop().create_task(self.deliver(webhook))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def deliver(self, webhook: Webhook) -> None:
        assert self._slots is not None
        try:
            for url in webhook.urls:  # Nango's primary, then secondary URL
                await self.attempts(webhook, url, str(uuid.uuid4()))
        finally:
            self._slots.release()
            self._pending -= 1

    async def attempts(self, webhook: Webhook, url: str, delivery: str) -> None:
        for attempt in range(1, len(self.delays) + 2):
            status, error = await self.post(webhook, url)
            if status is not None and 200 <= status < 300:
                self.record(webhook, delivery, url, attempt, status, None, "delivered")
                return
            again = retryable(status) and attempt <= len(self.delays)
            self.record(webhook, delivery, url, attempt, status, error, "retrying" if again else "failed")
            if not again:
                return
            await asyncio.sleep(self.delays[attempt - 1])

    async def post(self, webhook: Webhook, url: str) -> tuple[int | None, str | None]:
        assert self._client is not None
        try:
            response = await self._client.post(url, content=webhook.payload, headers=webhook.headers)
        except httpx.HTTPError as error:  # refused, reset, timed out: no answer
            return None, f"{type(error).__name__}: no answer"
        return response.status_code, None if response.is_success else f"HTTP {response.status_code}"

    def record(self, webhook: Webhook, delivery: str, url: str, attempt: int, status: int | None,
               error: str | None, outcome: str) -> None:
        shown = shown_url(url) or ""
        logger.info("webhook %s %s %s -> %s (attempt %d, %s)", webhook.vendor, webhook.event, shown,
                    status if status is not None else error, attempt, outcome)
        self.journal.add_delivery(DeliveryEntry(
            at=self.now(), delivery=delivery, vendor=webhook.vendor, tenant=webhook.tenant, event=webhook.event,
            url=shown, attempt=attempt, status=status, error=error, outcome=outcome, body=webhook.body))

    async def idle(self) -> None:
        """Until the queue is empty and no delivery runs (tests; shutdown's grace period)."""
        while self._pending:
            await asyncio.sleep(0.01)

    async def aclose(self, grace: float = 1.0) -> None:
        """Shutdown: deliveries under way get `grace` seconds to finish, then everything stops."""
        if self._dispatcher is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), grace)
        for task in [self._dispatcher, *self._running]:
            task.cancel()
        await asyncio.gather(self._dispatcher, *self._running, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self._dispatcher, self._client, self._pending = None, None, 0
