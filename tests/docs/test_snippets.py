"""Every command and code block of README.md and docs/*.md works as written, or says it is illustrative.

Blocks run against a `connmock serve` this test starts on a free loopback port (written `127.0.0.1:8080` in the
docs), from the repository root, with this environment's `connmock` and `pytest` first on PATH. The JavaScript
blocks run with the SDKs pinned in tests/sdk/node (`@vercel/sdk` is its newest pinned version there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures import load_seed
from tests.docs.snippets import ROOT, Block, all_blocks
from tests.sdk.support import NODE_DIR, node_ready, openint_python
from tests.support.server import connmock_serve

BLOCKS = all_blocks()
RUNNABLE = [b for b in BLOCKS if b.kind == "run"]
DOCUMENTED_PORT = "127.0.0.1:8080"
NODE_ALIASES = {"'@vercel/sdk'": "'vercel-sdk-1.28.35'"}  # package.json pins several versions under aliases
PYTHON_FOR_IMPORT = {"openint": "2.9.0"}  # a block importing the OpenInt SDK runs in the SDK tests' venv of it
DEMO_KEY_FIELD = {"nango": "secret_key", "openint": "api_key", "vercel": "token"}  # in GET /__connmock/tenants
TIMEOUT = 180


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    with connmock_serve(load_seed().tenants[-1].nango_secret_key) as started:  # the banner's last line
        yield started


@pytest.fixture
def server(served: tuple[str, str]) -> str:
    """The served mock's base URL, emptied of what an earlier block created."""
    httpx.post(f"{served[0]}/__connmock/reset", json={}, timeout=10).raise_for_status()
    return served[0]


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          env=os.environ | {"PATH": path} | (env or {}))
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def run_sh(code: str, _: str) -> None:
    out = run(["bash", "-e", "-o", "pipefail", "-c", code], ROOT)
    assert out.strip() != "null", "a documented query printed nothing"


def run_python(code: str, _: str) -> None:
    modules = {line.split()[1].split(".")[0] for line in code.splitlines() if line.startswith(("import ", "from "))}
    sdk = next((PYTHON_FOR_IMPORT[m] for m in sorted(modules) if m in PYTHON_FOR_IMPORT), None)
    python = str(openint_python(sdk)) if sdk else sys.executable
    run([python, "-c", code], ROOT)


def run_js(code: str, _: str) -> None:
    node_ready()
    for name, alias in NODE_ALIASES.items():
        code = code.replace(name, alias)
    run(["node", "--input-type=module", "-e", code], NODE_DIR)


def run_toml(code: str, base_url: str) -> None:
    """A target file: `connmock check` with it against the served mock, one vendor table at a time, the
    `*_env` variables set to the demo tenants' keys (the first tenant's, then the second's)."""
    tenants = httpx.get(f"{base_url}/__connmock/tenants", timeout=10).json()["tenants"]
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "target.toml"
        config.write_text(code)
        for vendor, table in tomllib.loads(code).items():
            keys = [tenant["vendors"][vendor][DEMO_KEY_FIELD[vendor]] for tenant in tenants]
            env = {table["api_key_env"]: keys[0]}
            if "other_api_key_env" in table:
                env[table["other_api_key_env"]] = keys[1]
            # Unpaced and with few generated examples: the file is what is checked, against a local mock
            # (paced at Nango's documented limit, a full run would take minutes).
            run(["connmock", "check", "--vendor", vendor, "--base-url", f"{base_url}/{vendor}",
                 "--config", str(config), "--rate", "0", "--max-examples", "3"], ROOT, env)


RUNNERS = {"sh": run_sh, "python": run_python, "js": run_js, "toml": run_toml}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.id)
def test_each_block_is_runnable_or_says_what_it_is(block: Block) -> None:
    assert block.language, f"{block.id}: a fence without a language (sh, python, js, toml, text)"
    if block.kind == "run":
        assert block.language in RUNNERS, f"{block.id}: no runner for {block.language!r}; mark it illustrative"
    elif block.kind == "illustrative":
        assert block.note, f"{block.id}: an illustrative block must say why (and where it is checked instead)"
    else:
        assert block.note == "connmock serve", f"{block.id}: only the output of `connmock serve` is compared"


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_block_works_as_written(block: Block, server: str) -> None:
    port = server.rsplit(":", 1)[1]
    RUNNERS[block.language](block.code.replace(DOCUMENTED_PORT, f"127.0.0.1:{port}"), server)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.kind == "output"], ids=lambda b: b.id)
def test_shown_output_is_what_the_command_prints(block: Block, served: tuple[str, str]) -> None:
    base, banner = served
    printed = banner.replace(base.removeprefix("http://"), DOCUMENTED_PORT).splitlines()
    shown = [line for line in block.code.splitlines() if line.strip() != "…"]
    assert shown and all(line in printed for line in shown), json.dumps(
        {"missing": [line for line in shown if line not in printed], "printed": printed}, indent=1)
