"""`RedisStore`: the `Store` protocol on a Redis server, so several workers (and hosts) share one state.

Keys, all under one prefix (`connmock:` or `connmock:<namespace>:`, so several mocks can share a Redis and
`clear` removes only its own keys):

| key | type | what |
|---|---|---|
| `<prefix>h:<space>` | hash | key -> value of every record of the space |
| `<prefix>o:<space>` | sorted set | the space's keys, scored by `<prefix>seq` at insertion: insertion order |
| `<prefix>n:<space>` | string | `next_id` counter (INCR) |
| `<prefix>seq` | string | insertion sequence shared by all spaces |
| `<prefix>size` | string | record count, checked against the capacity inside the writing script |

Every write is one Lua script, so it is atomic with respect to every other call, from any process; the list
index of an indexed space (`redis_index.py`) is kept by the same script as the record. `upsert` and `update`
take a Python function, which cannot run inside Redis: they read the old value, compute the new one here, and
commit with a compare-and-set script that writes only if the record still holds the value the function saw,
retrying (bounded) otherwise. This is the WATCH/MULTI/EXEC pattern with per-record granularity: WATCH can only
watch whole keys, and watching a space's hash would make every write to any record of the space abort every
concurrent upsert in it. The writers of one record in one process take turns (`_turn`), so only writers in
other processes can make a commit retry; and `patch` (Nango's `last_fetched_at` on every get) sets fields in
one script, never retried, with the concurrent patches of one record merged into few calls (`batching.py`).

Index entries live in their space like records (so `get(index_space, entry)` finds the key), but are not
counted as records, exactly as in the in-memory store.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry  # the asyncio policy: redis-py 8 warns on the sync one
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mock_server.store import redis_index, redis_patch
from mock_server.store.base import Index, StoreFull, StoreUnavailable
from mock_server.store.batching import PatchBatches
from mock_server.store.query import Found, Indexer, Query, family_of, naive_find

__all__ = ["RedisStore", "StoreContention", "key_prefix"]

MAX_ATTEMPTS = 200  # compare-and-set rounds before `StoreContention`; each round some writer of the key wins
POOL_SIZE = 64  # connections per process (per uvicorn worker)
POOL_WAIT = 20.0  # seconds a call waits for a free connection
CONNECT_TIMEOUT = 2.0  # seconds to open a connection: past it the store is unavailable (a 503), not hanging
REPLY_TIMEOUT = 5.0  # seconds for a reply on an open connection (a stalled server)
NAMESPACE = re.compile(r"[A-Za-z0-9_.-]{1,64}")

# KEYS: hash, order, size, seq, index hash, index order, then the list index's order, entries and texts.
# ARGV: key, value, capacity, index entry ('' = none), then the list index's term prefix ('' = none) and entry.
INSERT = redis_index.FUNCTIONS + """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local entry = ARGV[4]
if entry ~= '' and redis.call('HEXISTS', KEYS[5], entry) == 1 then return 0 end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
redis.call('INCR', KEYS[3])
if entry ~= '' then
  redis.call('HSETNX', KEYS[5], entry, ARGV[1])
  redis.call('ZADD', KEYS[6], redis.call('INCR', KEYS[4]), entry)
end
if ARGV[5] ~= '' then index({KEYS[7], KEYS[8], KEYS[9], ARGV[5]}, ARGV[1], 6) end
return 1
"""

# KEYS: hash, order, size, seq, then the list index's order, entries and texts. ARGV: key, new value, capacity,
# '1' + old value (or '0' when it was absent), then the list index's term prefix ('' = none) and entry.
# 1 written, 0 the record changed since it was read, -1 the store is full.
SWAP = redis_index.FUNCTIONS + """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if string.sub(ARGV[4], 1, 1) == '0' then
  if current then return 0 end
  if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then return -1 end
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
  redis.call('INCR', KEYS[3])
elseif current ~= string.sub(ARGV[4], 2) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] ~= '' then index({KEYS[5], KEYS[6], KEYS[7], ARGV[5]}, ARGV[1], 6) end
return 1
"""

# KEYS: hash, order, size, index hash, index order, then the list index's order, entries and texts.
# ARGV: key, index entry ('' = none), the list index's term prefix ('' = none). Returns the old value.
DELETE = redis_index.FUNCTIONS + """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DECR', KEYS[3])
if ARGV[2] ~= '' then
  redis.call('HDEL', KEYS[4], ARGV[2])
  redis.call('ZREM', KEYS[5], ARGV[2])
end
if ARGV[3] ~= '' then unindex({KEYS[6], KEYS[7], KEYS[8], ARGV[3]}, ARGV[1]) end
return current
"""

# KEYS: hash, order. Every value, oldest first (HMGET in chunks: Lua's unpack has a stack limit).
VALUES = """
local keys = redis.call('ZRANGE', KEYS[2], 0, -1)
local out = {}
for first = 1, #keys, 1000 do
  local chunk = redis.call('HMGET', KEYS[1], unpack(keys, first, math.min(first + 999, #keys)))
  for _, value in ipairs(chunk) do out[#out + 1] = value end
end
return out
"""

# ARGV: the key prefix (only letters, digits, `_.-:`, so it is a literal glob pattern). Atomic, like the
# in-memory clear; it scans the whole database, which is fine for a mock's Redis.
CLEAR = """
local cursor = '0'
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1] .. '*', 'COUNT', 1000)
  cursor = reply[1]
  if #reply[2] > 0 then redis.call('UNLINK', unpack(reply[2])) end
until cursor == '0'
return 0
"""


class StoreContention(Exception):
    """A record changed under every one of `MAX_ATTEMPTS` attempts to change it."""


def key_prefix(namespace: str = "") -> str:
    """`connmock:` or `connmock:<namespace>:`; a namespace is 1-64 letters, digits, `_`, `.` or `-`."""
    if not namespace:
        return "connmock:"
    if not NAMESPACE.fullmatch(namespace):
        raise ValueError(f"store namespace {namespace!r}: use 1-64 letters, digits, '_', '.' or '-'")
    return f"connmock:{namespace}:"


def connect(url: str) -> Redis:
    """A client for `redis://HOST:PORT/DB`.

    - At most `POOL_SIZE` connections per process; a request past them waits for one (up to `POOL_WAIT`
      seconds) instead of failing, so a burst of clients queues rather than errs.
    - Never re-sends a command on its own: a script whose reply was lost may have run, and running an insert
      twice would report the caller's own record as a duplicate.
    """
    pool = BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT,
                                           retry=Retry(NoBackoff(), 0), socket_connect_timeout=CONNECT_TIMEOUT,
                                           socket_timeout=REPLY_TIMEOUT)
    client: Redis = Redis.from_pool(pool)  # the client owns the pool: closing it closes the connections
    return client


class RedisStore:
    def __init__(self, url: str, *, namespace: str = "", capacity: int = 1_000_000) -> None:
        self.url = url
        self.capacity = capacity
        self.prefix = key_prefix(namespace)
        self.client = connect(url)
        parts = urlsplit(url)
        self.where = f"{parts.hostname}:{parts.port or 6379}"  # for messages: never the URL's password
        self._insert: AsyncScript = self.client.register_script(INSERT)
        self._swap: AsyncScript = self.client.register_script(SWAP)
        self._delete: AsyncScript = self.client.register_script(DELETE)
        self._values: AsyncScript = self.client.register_script(VALUES)
        self._clear: AsyncScript = self.client.register_script(CLEAR)
        self._patch: AsyncScript = self.client.register_script(redis_patch.PATCH)
        self._find: AsyncScript = self.client.register_script(redis_index.FIND)
        self._reindex_script: AsyncScript = self.client.register_script(redis_index.REINDEX)
        self._indexers: dict[str, Indexer] = {}
        self._turns: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}
        self._batches = PatchBatches(self._patch_once)

    def _keys(self, space: str) -> tuple[str, str]:
        return f"{self.prefix}h:{space}", f"{self.prefix}o:{space}"

    @property
    def _size(self) -> str:
        return f"{self.prefix}size"

    @property
    def _seq(self) -> str:
        return f"{self.prefix}seq"

    def _full(self) -> StoreFull:
        return StoreFull(f"the store holds its maximum of {self.capacity} records")

    @contextlib.contextmanager
    def _answering(self) -> Iterator[None]:
        """A server that is down, unreachable or stalled is `StoreUnavailable` (the API's 503), not a crash."""
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise StoreUnavailable(f"Redis at {self.where} does not answer ({type(exc).__name__})") from None

    async def _run(self, script: AsyncScript, keys: list[str], args: list[Any]) -> Any:
        with self._answering():
            return await script(keys=keys, args=args)

    async def get(self, space: str, key: str) -> bytes | None:
        with self._answering():
            value = await self.client.hget(self._keys(space)[0], key)
        return value.encode() if isinstance(value, str) else value  # bytes: the client never decodes

    async def insert(self, space: str, key: str, value: bytes, *, index: Index | None = None) -> bool:
        index_keys = self._keys(index[0]) if index else ("", "")
        keys = [*self._keys(space), self._size, self._seq, *index_keys]
        if index is None:  # unused, but every KEYS slot must name a key
            keys[4:6] = keys[0:2]
        listed_keys, listed_args = self._listing(space, value)
        done = await self._run(self._insert, [*keys, *listed_keys],
                               [key, value, self.capacity, index[1] if index else "", *listed_args])
        if done == -1:
            raise self._full()
        return bool(done == 1)

    async def _commit(self, space: str, key: str, old: bytes | None, new: bytes) -> bool:
        seen = b"0" if old is None else b"1" + old
        listed_keys, listed_args = self._listing(space, new)
        done = await self._run(self._swap, [*self._keys(space), self._size, self._seq, *listed_keys],
                               [key, new, self.capacity, seen, *listed_args])
        if done == -1:
            raise self._full()
        return bool(done == 1)

    async def _backoff(self, attempt: int) -> None:
        """Spread retries out so the writers of one hot record do not keep colliding in lockstep."""
        if attempt >= 3:
            await asyncio.sleep(random.uniform(0, min(0.05, 0.001 * attempt)))

    @contextlib.asynccontextmanager
    async def _turn(self, space: str, key: str) -> AsyncIterator[None]:
        """One read-change-commit of a record at a time in this process: the writers of a hot record queue
        here instead of colliding in Redis, so only writers in other processes can make a commit retry."""
        lock, users = self._turns.setdefault((space, key), (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._turns[(space, key)]

    async def upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        async with self._turn(space, key):
            return await self._upsert(space, key, change)

    async def _upsert(self, space: str, key: str, change: Callable[[bytes | None], bytes]) -> bytes:
        for attempt in range(MAX_ATTEMPTS):
            old = await self.get(space, key)
            if old is None and await self.size() >= self.capacity:
                raise self._full()
            new = change(old)
            if await self._commit(space, key, old, new):
                return new
            await self._backoff(attempt)
        raise StoreContention(f"{space}/{key}: changed concurrently {MAX_ATTEMPTS} times in a row")

    async def update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        async with self._turn(space, key):
            return await self._update(space, key, change)

    async def _update(self, space: str, key: str, change: Callable[[bytes], bytes]) -> bytes | None:
        for attempt in range(MAX_ATTEMPTS):
            old = await self.get(space, key)
            if old is None:
                return None
            new = change(old)
            if await self._commit(space, key, old, new):
                return new
            await self._backoff(attempt)
        raise StoreContention(f"{space}/{key}: changed concurrently {MAX_ATTEMPTS} times in a row")

    async def patch(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        indexer = self._indexers.get(family_of(space))
        if indexer is not None and not indexer.fields.isdisjoint(fields):  # the entry changes: computed here
            return await self.update(space, key, lambda old: orjson.dumps({**orjson.loads(old), **fields}))
        return await self._batches.patch(space, key, fields)

    async def _patch_once(self, space: str, key: str, fields: Mapping[str, Any]) -> bytes | None:
        pairs = [part for name, value in fields.items() for part in (orjson.dumps(name), orjson.dumps(value))]
        patched = await self._run(self._patch, [self._keys(space)[0]], [key, *pairs])
        return bytes(patched) if patched is not None else None

    async def delete(self, space: str, key: str, *, index: Index | None = None) -> bytes | None:
        index_keys = self._keys(index[0]) if index else self._keys(space)
        listed_keys, listed_args = self._listing(space, None)
        removed = await self._run(self._delete, [*self._keys(space), self._size, *index_keys, *listed_keys],
                                  [key, index[1] if index else "", *listed_args])
        return bytes(removed) if removed is not None else None

    async def values(self, space: str) -> list[bytes]:
        found = await self._run(self._values, list(self._keys(space)), [])
        return [bytes(value) for value in found]

    def _listing(self, space: str, value: bytes | None) -> tuple[list[str], list[str]]:
        """The list index's keys and arguments of a write script: its three keys (or the records hash again,
        unused, when the space is not indexed), then the term prefix ('' = not indexed) and the entry of
        `value` (none for a delete)."""
        indexer = self._indexers.get(family_of(space))
        if indexer is None:
            return [self._keys(space)[0]] * 3, [""]
        entry = redis_index.entry_args(indexer.entry(value)) if value is not None else []
        return redis_index.keys(self.prefix, space), [redis_index.term_prefix(self.prefix, space), *entry]

    async def find(self, space: str, query: Query) -> Found:
        indexer = self._indexers.get(family_of(space))
        if indexer is None:
            raise LookupError(f"no index is defined for {family_of(space)}")
        if redis_index.SEPARATOR in query.search:  # could span two texts as the index joins them: decode all
            return naive_find(await self.values(space), indexer, query)
        keys = [self._keys(space)[0], *redis_index.keys(self.prefix, space, query.sort)]
        args = [redis_index.term_prefix(self.prefix, space), *redis_index.query_args(query)]
        for attempt in range(2):
            total, complete, *values = await self._run(self._find, keys, args)
            if complete:
                return Found([bytes(value) for value in values if value is not None],
                             None if total == -1 else int(total))
            if not attempt:
                await self._rebuild(space, indexer)
        return naive_find(await self.values(space), indexer, query)  # still not complete: entries of old records

    async def _rebuild(self, space: str, indexer: Indexer) -> None:
        """Index the records written before the family's index was defined (each only if unchanged since)."""
        with self._answering():
            records = await self.client.hgetall(self._keys(space)[0])
        keys = [self._keys(space)[0], *redis_index.keys(self.prefix, space)]
        prefix = redis_index.term_prefix(self.prefix, space)
        for key, value in records.items():
            entry = redis_index.entry_args(indexer.entry(value if isinstance(value, bytes) else value.encode()))
            await self._run(self._reindex_script, keys, [prefix, key, value, *entry])

    def define_index(self, family: str, indexer: Indexer) -> None:
        self._indexers[family] = indexer

    async def next_id(self, space: str) -> int:
        with self._answering():
            number: int = await self.client.incr(f"{self.prefix}n:{space}")
        return number

    async def size(self) -> int:
        with self._answering():
            count = await self.client.get(self._size)
        return int(count or 0)

    async def clear(self) -> None:
        await self._run(self._clear, [], [self.prefix])

    async def ping(self) -> None:
        """Raise a `redis.exceptions.RedisError` when the server cannot be reached."""
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()
