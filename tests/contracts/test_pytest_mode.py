"""The same suite as pytest tests: `pytest contracts --base-url URL --vendor NAME`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from contracts.runner import SECTIONS
from tests.contracts.conftest import Serve

ROOT = Path(__file__).resolve().parents[2]
# The `pytest` script as the README writes it, not `python -m pytest` (which puts the clone first on sys.path and
# so hid an "import file mismatch" between the clone's `contracts/` and the installed copy).
PYTEST = str(Path(sys.executable).with_name("pytest"))


def test_pytest_contracts_against_the_mock(serve: Serve) -> None:
    with serve("xpander", None) as url:
        done = subprocess.run(
            [PYTEST, "contracts", "--base-url", url, "--vendor", "xpander",
             "--max-examples", "3", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(SECTIONS)} passed" in done.stdout


def test_pytest_contracts_skip_without_a_base_url() -> None:
    done = subprocess.run([PYTEST, "contracts", "-q", "--vendor", "xpander"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert "skipped" in done.stdout, done.stdout + done.stderr
