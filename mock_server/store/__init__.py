"""State behind one small interface, so another backend (Redis) can be added beside the in-memory one."""

from mock_server.store.base import Store, StoreFull
from mock_server.store.memory import MemoryStore

__all__ = ["MemoryStore", "Store", "StoreFull"]
