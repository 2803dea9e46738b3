"""`PatchBatches`: the concurrent `patch`es of one record in one process, sent to a shared store as few calls.

A hot record (Nango writes `last_fetched_at` on every get) read by many clients at once would cost one script
call each, every one waiting for a connection and for the server in turn. Here at most one call per record is
in flight from this process, and the patches that arrive meanwhile are merged, in arrival order, into the one
sent next: the record ends as if they were applied one by one, and each caller gets the record after its
batch (its own fields, or those of a patch that came after it in the same batch). N concurrent patches cost
2 calls, not N.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Send = Callable[[str, str, Mapping[str, Any]], Awaitable[bytes | None]]
Slot = tuple[str, str]  # (space, key)

__all__ = ["PatchBatches"]


@dataclass(slots=True)
class Batch:
    fields: dict[str, Any]
    result: asyncio.Future[bytes | None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class PatchBatches:
    def __init__(self, send: Send) -> None:
        self._send = send
        self._open: dict[Slot, Batch] = {}  # per record: the batch that goes next (patches may still join it)
        self._busy: dict[Slot, asyncio.Lock] = {}  # per record: held while one of its batches is sent

    async def patch(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        slot = (space, key)
        batch = self._open.get(slot)
        if batch is not None:
            batch.fields.update(fields)
            return await self._joined(batch, space, key, fields)
        batch = self._open[slot] = Batch(dict(fields))
        lock = self._busy.setdefault(slot, asyncio.Lock())
        try:
            async with lock:  # the batch before this one is sent; from here on nothing joins this one
                if self._open.get(slot) is batch:
                    del self._open[slot]
                result = await self._send(space, key, batch.fields)
        except BaseException as exc:
            if not batch.result.done():
                if isinstance(exc, asyncio.CancelledError):
                    batch.result.cancel()  # its patches go again (`_joined`)
                else:
                    batch.result.set_exception(exc)
                    batch.result.exception()  # retrieved here: a batch nobody joined logs nothing
            raise
        finally:
            if self._open.get(slot) is batch:  # cancelled while it waited: nobody can send it now
                del self._open[slot]
            if not lock.locked() and slot not in self._open:
                self._busy.pop(slot, None)
        batch.result.set_result(result)
        return result

    async def _joined(self, batch: Batch, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        """The result of the batch this patch joined; its sender went away before sending it: patch anew."""
        try:
            return await asyncio.shield(batch.result)
        except asyncio.CancelledError:
            if batch.result.cancelled():
                return await self.patch(space, key, fields)
            raise
