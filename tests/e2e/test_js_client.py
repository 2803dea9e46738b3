"""The JavaScript admin client and its Playwright example, run by the test command like everything else.

- `clients/js`: its own `node --test` suite, which starts `connmock serve` (this environment's) itself and
  drives every method of the client against it (no npm packages: the client has no dependencies).
- `examples/playwright`: `playwright test` with `@playwright/test` from its `package-lock.json` (`npm ci
  --ignore-scripts` in that folder; `.ci/run` does it) and Debian's Chromium, never a downloaded browser.

Without node, the example's packages or Chromium these are skipped, except in CI (env `CI`), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.sdk.support import unavailable
from tests.support.browser import CHROMIUM
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "js"
EXAMPLE = ROOT / "examples" / "playwright"
OUTPUT = ROOT / "artifacts" / "playwright-example"  # the example's screenshots, and traces of failures
TIMEOUT = 240


def node_env() -> dict[str, str]:
    """The environment of the node processes: this environment's `connmock` is the one they start."""
    installed = Path(sys.executable).parent / "connmock"
    found = str(installed) if installed.exists() else shutil.which("connmock")
    if found is None:
        unavailable("no connmock executable beside this Python nor on PATH")
    env = {**os.environ, "CONNMOCK_BIN": str(found)}
    env.pop("CONNMOCK_URL", None)
    return env


def require_node() -> None:
    if shutil.which("node") is None:
        unavailable("node not on PATH")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command[:3])} failed ({done.returncode}):\n{output[-6000:]}"
    return output


def test_the_js_client_suite() -> None:
    require_node()
    tests = sorted(str(path.relative_to(CLIENT)) for path in (CLIENT / "test").glob("*.test.mjs"))
    assert tests, "clients/js/test holds no *.test.mjs"
    output = run(["node", "--test", *tests], CLIENT, node_env())
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    assert passed and int(passed[1]) >= 19, output[-3000:]  # every test ran (none was filtered away)
    assert re.search(r"^# fail 0$", output, re.MULTILINE), output[-3000:]


def test_the_playwright_example() -> None:
    require_node()
    cli = EXAMPLE / "node_modules" / "@playwright" / "test" / "cli.js"
    if not cli.exists():
        unavailable(f"@playwright/test not installed: run `npm ci --ignore-scripts` in {EXAMPLE.relative_to(ROOT)}")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    env = {**node_env(), "CONNMOCK_PORT": str(free_port()), "APP_PORT": str(free_port()),
           "CHROMIUM_PATH": str(CHROMIUM), "PLAYWRIGHT_OUTPUT_DIR": str(OUTPUT)}
    output = run(["node", str(cli), "test", "--reporter=list"], EXAMPLE, env)
    assert re.search(r"\b3 passed\b", output), output[-3000:]
    assert list(OUTPUT.glob("*/consent-denied.png")), "the denied page's screenshot was not taken"
    assert not re.search(r"^\s+\d+ (failed|skipped|flaky|did not run)\b", output, re.MULTILINE), output[-3000:]
