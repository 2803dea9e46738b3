"""No module over 400 lines without a reason written at its top (house style: ~400 lines is where modules split).

A long module says why in its docstring, in a sentence starting "Over 400 lines". The long modules other branches
were reworking when this test was written are listed below (to be split or given a reason after those merges);
one leaves the list when it is under the limit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = ("connmock", "speclib", "mock_server", "contracts", "fixtures", "openapi", "benchmarks", "tests")
LIMIT = 400
REASON = "Over 400 lines"
# Reworked on other branches when this test was written: the module and the work it waits for.
PENDING = {
    "mock_server/gate.py": "the gate's split into small modules (router branch)",
}


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
    if name in PENDING:
        pytest.skip(f"waits for {PENDING[name]}")
    docstring = ast.get_docstring(ast.parse((ROOT / name).read_text())) or ""
    assert REASON in " ".join(docstring.split()), f"{name} has {lines(ROOT / name)} lines and no reason at its top"


def test_the_pending_list_is_true() -> None:
    done = [name for name in PENDING if not (ROOT / name).exists() or lines(ROOT / name) <= LIMIT]
    assert not done, f"split now, take them off PENDING: {done}"


def test_the_scan_sees_the_tree() -> None:
    assert len(modules()) > 200 and ROOT / "mock_server" / "app.py" in modules()
