"""State behind one small interface: `MemoryStore` (the default) and `RedisStore` (`mock_server.store.redis`,
shared by several workers or hosts; imported only when chosen, since it needs the `redis` extra).

`PersistentStore` wraps a store that can be snapshotted (the in-memory one) to keep its state in a file: every
write is made durable in a write log (`writelog.py`) before it returns, and the log is compacted into the state
file (`statefile.py`); `recovery.py` puts the two together at start.
"""

from mock_server.store.base import Store, StoreFull, StoreUnavailable
from mock_server.store.memory import MemoryStore
from mock_server.store.persistent import PersistentStore, persisting
from mock_server.store.snapshot import Image, Snapshotting
from mock_server.store.statefile import StateFile, StateFileError

__all__ = ["Image", "MemoryStore", "PersistentStore", "Snapshotting", "StateFile", "StateFileError", "Store",
           "StoreFull", "StoreUnavailable", "persisting"]
