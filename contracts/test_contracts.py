"""The contract suite as pytest tests (collected by `pytest contracts --base-url URL --vendor NAME`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.report import Redactor, VendorResult, render_summary
from contracts.runner import DEFAULT_MAX_EXAMPLES, SECTIONS, RunOptions, run_section
from contracts.session import INCOMPLETE, Interrupted, Session
from contracts.target import load_target

__all__ = ["contract_options", "contract_session", "test_contract"]


@pytest.fixture(scope="session")
def contract_options(pytestconfig: pytest.Config) -> RunOptions:
    return RunOptions(max_examples=pytestconfig.getoption("--max-examples") or DEFAULT_MAX_EXAMPLES,
                      seed=pytestconfig.getoption("--contracts-seed"))


@pytest.fixture(scope="session")
def contract_session(pytestconfig: pytest.Config, contract_vendor: str) -> Session:
    base_url = pytestconfig.getoption("--base-url")
    if not base_url:
        pytest.skip("the contract suite needs --base-url (or run `connmock check`, which starts a mock)")
    config: Path | None = pytestconfig.getoption("--contracts-config")
    return Session(load_target(contract_vendor, base_url, config))  # one per vendor: the fixture is session-scoped


@pytest.mark.parametrize("section", SECTIONS)
def test_contract(contract_session: Session, contract_options: RunOptions, section: str) -> None:
    before = {name: len(s.failures) for name, s in contract_session.sections.items()}
    if contract_session.down:
        pytest.fail(f"not run: the target stopped answering ({contract_session.target.base_url})", pytrace=False)
    try:
        run_section(contract_session, section, contract_options)
    except Interrupted as exc:  # the target stopped answering: the section is incomplete, never a pass
        contract_session.section.status, contract_session.section.reason = INCOMPLETE, exc.reason
    new = [s for name, s in contract_session.sections.items()
           if len(s.failures) > before.get(name, 0) or (s.status and name not in before)]
    if new:
        redact = Redactor()
        redact.add_book(contract_session.scope.book)
        redact.add_secrets(contract_session.target.secrets)
        result = VendorResult(contract_session.target.vendor, contract_session.target.base_url,
                              sorted(contract_session.spec.operations), new, 0.0)
        pytest.fail(render_summary([result], redact), pytrace=False)
