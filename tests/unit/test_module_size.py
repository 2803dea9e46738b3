"""No module over 400 lines without a reason written at its top (house style: ~400 lines is where modules split).

A long module says why in its docstring, in a sentence starting "Over 400 lines".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = ("connmock", "speclib", "mock_server", "contracts", "fixtures", "openapi", "benchmarks", "tests")
LIMIT = 400
REASON = "Over 400 lines"


def modules() -> list[Path]:
    found = [path for tree in TREES for path in (ROOT / tree).rglob("*.py")
             if not {"node_modules", "__pycache__"} & set(path.parts)]
    return sorted(found)


def lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def long_modules() -> list[str]:
    return [path.relative_to(ROOT).as_posix() for path in modules() if lines(path) > LIMIT]


@pytest.mark.parametrize("name", long_modules())
def test_a_long_module_says_why(name: str) -> None:
    docstring = ast.get_docstring(ast.parse((ROOT / name).read_text())) or ""
    assert REASON in " ".join(docstring.split()), f"{name} has {lines(ROOT / name)} lines and no reason at its top"



def test_the_scan_sees_the_tree() -> None:
    assert len(modules()) > 200 and ROOT / "mock_server" / "app.py" in modules()
