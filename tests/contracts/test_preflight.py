"""Before a vendor's run: nothing listening, a wrong URL, another vendor's URL and a rejected key each end the
check with one line that says which, and exit 2 (instead of hundreds of misleading failures)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from connmock.cli import main
from contracts.preflight import probe_operation
from mock_server import Settings, create_app
from openapi import VENDORS
from speclib import load_spec
from tests.contracts.unreliable import target_file
from tests.support.server import free_port, running


def check(*args: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["check", "--max-examples", "1", *args], out=out)
    return code, out.getvalue().splitlines()


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running(create_app(Settings(vendors=("openint", "nango")))) as url:
        yield url


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_has_a_list_to_probe_with(vendor: str) -> None:
    assert probe_operation(load_spec(vendor)).operation_id.startswith("list")


def test_nothing_listening() -> None:
    code, lines = check("--vendor", "nango", "--base-url", f"http://127.0.0.1:{free_port()}")
    assert code == 2
    assert len(lines) == 1 and "nango: nothing answers at http://127.0.0.1:" in lines[0], lines


def test_wrong_url(mock_url: str) -> None:
    code, lines = check("--vendor", "nango", "--base-url", f"{mock_url}/somewhere-else")
    assert code == 2
    assert len(lines) == 1, lines
    assert "this is not nango's API: GET /connections" in lines[0] and "should answer 200 {connections}" in lines[0]
    assert "answered 404" in lines[0]


def test_another_vendors_url(mock_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nango's check (nango's key) pointed at the mock's OpenInt
    config = target_file(tmp_path, monkeypatch, "nango", base_path="/openint")
    code, lines = check("--vendor", "nango", "--base-url", mock_url, "--config", str(config))
    assert code == 2
    assert len(lines) == 1, lines
    assert "this is not nango's API" in lines[0] and f"{mock_url}/openint" in lines[0]


def test_rejected_key(mock_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = target_file(tmp_path, monkeypatch, "nango", key="00000000-0000-4000-8000-000000000000")
    code, lines = check("--vendor", "nango", "--base-url", mock_url, "--config", str(config))
    assert code == 2
    assert len(lines) == 1, lines
    assert "nango: the credentials of the primary tenant were rejected" in lines[0] and "answered 401" in lines[0]
    assert "00000000-0000-4000-8000-000000000000" not in lines[0]


def test_rejected_key_of_the_other_tenant(mock_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = target_file(tmp_path, monkeypatch, "openint")
    monkeypatch.setenv("CONTRACT_TEST_OTHER_KEY", "sk_wrong_0123456789abcdef")
    code, lines = check("--vendor", "openint", "--base-url", mock_url, "--config", str(config))
    assert code == 2
    assert len(lines) == 1 and "the credentials of the other tenant were rejected" in lines[0], lines
