"""The README's vendor table lists exactly the operations each spec has (the specs are the source of truth)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openapi import VENDORS
from speclib import load_spec

README = Path(__file__).resolve().parents[2] / "README.md"
OPERATION = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`")


def table_row(vendor: str) -> str:
    mount = f"| `/{vendor}` |"
    rows = [line for line in README.read_text(encoding="utf-8").splitlines() if mount in line]
    assert len(rows) == 1, f"one README vendor-table row has the mount /{vendor}"
    return rows[0]


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_vendor_table_lists_the_specs_operations(vendor: str) -> None:
    listed = set(OPERATION.findall(table_row(vendor).split(" | ")[-1]))
    assert listed == {(o.method, o.path) for o in load_spec(vendor).operations.values()}
