"""Snapshots of a store held in this process: what a state file saves and loads.

Kept apart from the `Store` protocol: only a backend whose state lives in this process (the in-memory one)
needs to be written to a file; a shared backend such as Redis keeps its own state and has no use for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Image", "Snapshotting"]


@dataclass(slots=True)
class Image:
    """Everything a store holds: every space in insertion order, the per-space counters and the record count
    (index entries live in spaces too but are not records, so the count is kept, not recomputed)."""

    spaces: dict[str, dict[str, bytes]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    records: int = 0


class Snapshotting(Protocol):
    """A store that can hand out a consistent copy of its state and be replaced by one."""

    capacity: int

    def snapshot(self) -> Image:
        """A copy of the whole state, taken atomically with respect to every other call."""
        ...

    def restore(self, image: Image) -> None:
        """Replace the whole state by `image`."""
        ...
