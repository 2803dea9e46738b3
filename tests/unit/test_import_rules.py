"""The import rules of ARCHITECTURE.md ("Layers") are held by one tool, `lint-imports` (import-linter).

The rules hold on the tree as it is, every package of the table is named by a contract, and breaking each kind of
rule in a copy of the tree makes the tool fail naming the broken contract (so a contract dropped or loosened in
`pyproject.toml` fails here).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("connmock", "speclib", "mock_server", "contracts", "fixtures", "openapi")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the tree at `root` (its pyproject.toml and packages), in a fresh interpreter."""
    script = "import sys; from importlinter.cli import lint_imports as run; sys.exit(run(no_cache=True, no_logo=True))"
    return subprocess.run([sys.executable, "-c", script], cwd=root, env={"PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=120, check=False)


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def table_packages() -> list[str]:
    """The first column of ARCHITECTURE.md's table of layers."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    layers = text[text.index("## Layers"):text.index("## Inside the mock")]
    return re.findall(r"^\| `([\w.]+)` \|", layers, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's Python packages and pyproject.toml, to break."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules", "recordings", "*.yaml", "*.json"))
    return root


def test_the_rules_hold_on_the_tree() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(contracts())} kept, 0 broken" in result.stdout


def test_every_package_of_the_table_is_in_the_layers_contract() -> None:
    layers = next(c for c in contracts() if c["type"] == "layers")
    named = {module.strip() for layer in layers["layers"] for module in str(layer).split("|")}  # type: ignore[attr-defined]
    packages = table_packages()
    assert len(packages) >= 11, packages
    assert set(packages) == named


BREAKS = {
    # contract id: (module to edit, the line that breaks it)
    "layers": ("contracts/__init__.py", "import mock_server"),
    "http-only": ("connmock/fidelity/__init__.py", "import mock_server.world"),
    "tools-on-top": ("mock_server/errors.py", "import connmock"),
    "openapi-stdlib": ("openapi/__init__.py", "import yaml"),
    "speclib-frameworkless": ("speclib/merge.py", "import starlette.requests"),
    "fixtures-data": ("fixtures/seed.py", "import httpx"),
    "mock-no-test-tooling": ("mock_server/journal.py", "import hypothesis"),
    "contracts-http-client": ("contracts/transport.py", "import starlette"),
    "acyclic": ("mock_server/world.py", "import mock_server.vendors.base"),
}


def test_every_contract_has_a_break() -> None:
    assert {str(c["id"]) for c in contracts()} == set(BREAKS)


@pytest.mark.parametrize("contract_id", sorted(BREAKS))
def test_a_broken_rule_fails_the_lint(tree: Path, contract_id: str) -> None:
    # Given a copy of the tree with one import that breaks the rule
    module, line = BREAKS[contract_id]
    path = tree / module
    original = path.read_text()
    path.write_text(f"{original}\n{line}  # noqa\n")
    try:
        # When the tool runs
        result = lint_imports(tree)
    finally:
        path.write_text(original)
    # Then it fails, naming that contract among the broken ones (a break may break others too: `contracts`
    # importing the mock also brings in a web framework)
    name = next(str(c["name"]) for c in contracts() if c["id"] == contract_id)
    assert result.returncode == 1, result.stdout + result.stderr
    assert " ".join(name.split()) in " ".join(result.stdout.split()).split("Broken contracts")[1]
