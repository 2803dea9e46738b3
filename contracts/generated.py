"""Generated cases: for every operation of the spec, positive and negative examples drawn by Schemathesis
(Hypothesis underneath), a canary planted in every secret field of each body before it is sent.

Planting happens here, right before `send`, rather than in a `map_body` hook: hooks of that kind do not run
in every Schemathesis phase, and a body without canaries would make the leak oracle blind.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from schemathesis import Case, GenerationMode

from contracts.session import Session

__all__ = ["run_generated"]


def run_operation(session: Session, operation_id: str, mode: GenerationMode, max_examples: int, seed: int) -> None:
    operation = session.operation(operation_id)
    strategy = operation.as_strategy(mode, auth_storage=session.schema.auth)

    @hypothesis_seed(seed)
    @settings(max_examples=max_examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy)
    def examples(case: Case[Any]) -> None:
        if isinstance(case.body, dict | list):
            case.body = session.plant(operation_id, case.body)
        session.send(case)

    examples()


def run_generated(session: Session, max_examples: int, seed: int) -> None:
    """Every operation, both modes; one report section per mode."""
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        session.enter(f"generated-{mode.value}")
        for operation_id in session.spec.operations:
            run_operation(session, operation_id, mode, max_examples, seed)
