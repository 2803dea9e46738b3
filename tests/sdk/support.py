"""Running the vendors' official SDKs against a served mock: Node scripts (pinned in `node/`), the Python SDK
in a venv of its own per version, unique canaries, and the places a canary may come back."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_DIR = HERE / "node"
PYTHON_DIR = HERE / "python"
VENVS = ROOT / ".tox" / ".sdk-venvs"  # gitignored; rebuilt when missing or holding another version
TIMEOUT = 120


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip outside CI; in CI a missing prerequisite is a failure."""
    if in_ci():
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


def canary(label: str) -> str:
    """A unique value that cannot occur by accident."""
    return f"cnry_{label}_{secrets.token_hex(10)}"


def node_ready() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node/npm not on PATH")
    if not (NODE_DIR / "node_modules" / "@nangohq" / "node").is_dir():
        unavailable(f"SDKs not installed: run `npm ci` in {NODE_DIR.relative_to(ROOT)}")


def run_json(command: list[str], cwd: Path) -> Any:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"{' '.join(command[:2])} failed ({done.returncode}):\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_node(script: str, base_url: str, payload: dict[str, Any]) -> dict[str, Any]:
    node_ready()
    result: dict[str, Any] = run_json(["node", script, base_url, json.dumps(payload)], NODE_DIR)
    return result


def openint_python(version: str) -> Path:
    """The interpreter of a venv holding exactly `openint==version` (built once, from the package index)."""
    venv = VENVS / f"openint-{version}"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", f"import openint; assert openint.__version__ == {version!r}"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                f"openint=={version}"], capture_output=True, text=True, check=False)
    if installed.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        unavailable(f"cannot install openint=={version}: {installed.stderr.strip()[-500:]}")
    return python


def run_python_sdk(python: Path, script: str, base_url: str, payload: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = run_json([str(python), script, base_url, json.dumps(payload)], PYTHON_DIR)
    return result


def tenants(base_url: str) -> dict[str, Any]:
    """`GET /__connmock/tenants`, by tenant id: the demo keys and seeded ids the SDK calls need."""
    listed = httpx.get(f"{base_url}/__connmock/tenants", timeout=10).json()["tenants"]
    return {t["id"]: t["vendors"] for t in listed}


def journal(base_url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{base_url}/__connmock/requests", timeout=10).json()["requests"]
    return found


def leaks(where: Any, values: list[str]) -> list[str]:
    """The canaries found in `where` (any JSON value), raw or JSON-escaped."""
    text = json.dumps(where)
    return [value for value in values if value in text]
