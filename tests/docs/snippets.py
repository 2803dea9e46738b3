"""The fenced blocks of the README and docs/*.md, and what each claims.

The convention (README, "Documentation snippets"): every fenced block names its language, and the last
non-blank line before it may be an HTML comment saying what it is:

- no comment: a command or a program that works as written (`sh`, `python`, `js`, `toml`); the docs test runs it.
- `<!-- output: connmock serve -->`: what that command prints; the docs test compares it line by line.
- `<!-- illustrative: REASON -->`: shown, not run here; the reason (say where it is checked instead) is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(`{3,})(.*)$")
MARKER = re.compile(r"^<!--\s*(illustrative|output):\s*(.*?)\s*-->$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    kind: str  # "run", "illustrative" or "output"
    note: str  # the reason of an illustrative block, the command of an output block

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Every fenced block of `path`, in order, with the marker before it."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, language = opening[1], opening[2].strip()
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == fence), len(lines))
        before = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(before)
        kind, note = (marker[1], marker[2]) if marker else ("run", "")
        found.append(Block(path, index + 1, language, "\n".join(lines[index + 1:end]) + "\n", kind, note))
        index = end + 1
    return found


def all_blocks() -> list[Block]:
    return [block for path in documents() for block in blocks(path)]
