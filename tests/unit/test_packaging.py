"""`pip install .` must ship the specs and the fixture data inside the wheel, not only in a source checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from openapi import VENDORS

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_specs_and_seed_records(tmp_path: Path) -> None:
    # Given a wheel built from this checkout, the way `pip install .` builds it
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("connmock-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    # Then every spec, the merged document, the seed records and the console script are inside it
    assert {f"openapi/{name}.yaml" for name in (*VENDORS, "merged")} <= names
    assert "fixtures/seed.yaml" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "connmock = connmock.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
