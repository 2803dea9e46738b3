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

from contracts.session import INCOMPLETE, Interrupted, Session

__all__ = ["GENERATED_SECTIONS", "run_generated"]

GENERATED_SECTIONS = tuple(f"generated-{mode.value}" for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))


def run_operation(session: Session, operation_id: str, mode: GenerationMode, max_examples: int, seed: int) -> None:
    operation = session.operation(operation_id, negative=mode == GenerationMode.NEGATIVE)
    strategy = operation.as_strategy(mode, auth_storage=session.schema.auth)

    stopped: list[Interrupted] = []

    @hypothesis_seed(seed)
    @settings(max_examples=max_examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy)
    def examples(case: Case[Any]) -> None:
        if stopped:  # Hypothesis goes on drawing; the target is not asked again
            return
        if isinstance(case.body, dict | list):
            case.body = session.plant(operation_id, case.body)
        try:
            session.send(case)
        except Interrupted as exc:  # kept from Hypothesis, which would retry and shrink on it
            stopped.append(exc)

    examples()
    if stopped:
        raise stopped[0]


def run_generated(session: Session, max_examples: int, seed: int) -> None:
    """Every operation, both modes; one report section per mode. A target that stopped answering and came
    back costs the operation it happened on (the section is marked incomplete), not the rest."""
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        section = session.enter(f"generated-{mode.value}")
        for operation_id in session.spec.operations:
            try:
                run_operation(session, operation_id, mode, max_examples, seed)
            except Interrupted as exc:
                section.status, section.reason = INCOMPLETE, exc.reason
                if not exc.recovered:
                    raise
