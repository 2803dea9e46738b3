"""The servers' memory read from /proc (benchmarks/processes.py), on a /proc made in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.processes import parse_ppid, parse_rss_kb, tree_rss_kb


def status(rss_kb: int | None) -> str:
    rss = f"VmRSS:\t{rss_kb:>8} kB\n" if rss_kb is not None else ""
    return f"Name:\tpython\nState:\tS (sleeping)\nVmPeak:\t  999999 kB\n{rss}Threads:\t4\n"


def fake_proc(root: Path, processes: dict[int, tuple[int, str, int | None]]) -> Path:
    """`processes`: pid -> (parent pid, command, VmRSS in KB or None for a zombie)."""
    for pid, (ppid, command, rss) in processes.items():
        (root / str(pid)).mkdir()
        (root / str(pid) / "stat").write_text(f"{pid} ({command}) S {ppid} {pid} {pid} 0 -1 4194560\n")
        (root / str(pid) / "status").write_text(status(rss))
    (root / "self").mkdir()  # not a pid: skipped
    return root


def test_rss_is_read_from_the_vmrss_line() -> None:
    assert parse_rss_kb(status(51234)) == 51234


def test_a_zombie_has_no_rss() -> None:
    assert parse_rss_kb(status(None)) == 0


def test_the_parent_is_read_after_a_command_with_spaces_and_parentheses() -> None:
    assert parse_ppid("4242 (node (mockoon) cli) S 17 4242 4242 0 -1 4194560") == 17


def test_a_tree_sums_the_process_and_all_its_descendants(tmp_path: Path) -> None:
    # Given a uvicorn parent with two workers, one with a child of its own, and an unrelated process
    proc = fake_proc(tmp_path, {
        100: (1, "connmock", 30_000),
        101: (100, "python", 90_000),
        102: (100, "python", 80_000),
        103: (101, "python (spawn)", 5_000),
        200: (1, "redis-server", 7_000),
    })
    # Then the tree of 100 counts 100-103, not 200; the tree of a worker counts that worker and its child
    assert tree_rss_kb(100, proc) == 205_000
    assert tree_rss_kb(101, proc) == 95_000


def test_this_process_has_a_resident_size() -> None:
    assert tree_rss_kb(os.getpid()) > 1024
