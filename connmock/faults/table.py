"""The selftest table: fault by vendor → caught or missed (how fast, by which rule), and the detection rates.

A fault counts as caught only by a failure kind the checker does not also report against the faithful mock
of the same vendor: a false alarm of the baseline run is not a detection.
"""

from __future__ import annotations

from collections.abc import Sequence

from connmock.faults.selftest import Outcome
from connmock.faults.serving import FAITHFUL
from connmock.faults.zoo import FAULTS

__all__ = ["Rate", "caught", "rate", "render_table"]

Rate = tuple[int, int]  # (caught, applicable)


def kinds(outcome: Outcome) -> set[str]:
    return {kind.strip() for kind in outcome.rule.split(",") if kind.strip()}


def baselines(outcomes: Sequence[Outcome]) -> dict[str, Outcome]:
    return {o.vendor: o for o in outcomes if o.fault == FAITHFUL}


def caught(outcome: Outcome, baseline: Outcome | None) -> bool:
    if not outcome.caught:
        return False
    return baseline is None or not baseline.caught or bool(kinds(outcome) - kinds(baseline))


def rate(outcomes: Sequence[Outcome], vendor: str | None = None) -> Rate:
    base = baselines(outcomes)
    faults = [o for o in outcomes if o.fault != FAITHFUL and (vendor is None or o.vendor == vendor)]
    return sum(1 for o in faults if caught(o, base.get(o.vendor))), len(faults)


def percent(value: Rate) -> str:
    done, total = value
    return f"{done}/{total} ({100 * done / total:.0f}%)" if total else "—"


def short_rule(outcome: Outcome, baseline: Outcome | None) -> str:
    """The first new kind: `secret-leak`, `st:UndefinedStatusCode` (a built-in check), `ST103`."""
    seen = kinds(baseline) if baseline is not None and baseline.caught else set()
    first = next((k.strip() for k in outcome.rule.split(",") if k.strip() and k.strip() not in seen), "")
    if first.startswith("schemathesis."):
        return "st:" + first.removeprefix("schemathesis.")
    return first.split(" ")[0] if first[:2] == "ST" else first


def cell(outcome: Outcome | None, baseline: Outcome | None) -> str:
    if outcome is None:
        return "n/a"
    if outcome.fault == FAITHFUL:
        if outcome.caught:
            return "**FLAGGED** " + ", ".join(sorted(k.split(" ")[0] for k in kinds(outcome)))
        return f"pass ({outcome.seconds:.1f}s)" + (f", error: {outcome.error[:30]}" if outcome.error else "")
    if caught(outcome, baseline):
        return f"caught {outcome.seconds:.1f}s `{short_rule(outcome, baseline)}`"
    if outcome.caught:
        return "**missed** (only the faithful run's failures)"
    return "**missed**" + (f" (error: {outcome.error[:30]})" if outcome.error else "")


def render_table(outcomes: Sequence[Outcome], vendors: Sequence[str], faults: Sequence[str]) -> str:
    """A Markdown table for one tool: the faithful row first, then every fault, then the detection rate."""
    by_key = {(o.fault, o.vendor): o for o in outcomes}
    base = baselines(outcomes)
    lines = ["| fault | what it breaks | " + " | ".join(vendors) + " |",
             "|---|---|" + "---|" * len(vendors)]
    if base:
        lines.append("| (faithful mock) | nothing: must not be flagged | "
                     + " | ".join(cell(base.get(v), None) for v in vendors) + " |")
    for name in faults:
        lines.append(f"| `{name}` | {FAULTS[name].summary} | "
                     + " | ".join(cell(by_key.get((name, v)), base.get(v)) for v in vendors) + " |")
    lines.append("| **detection rate** | | " + " | ".join(percent(rate(outcomes, v)) for v in vendors) + " |")
    total = percent(rate(outcomes))
    return "\n".join(lines) + f"\n\nDetection rate: **{total}** of the (fault, vendor) pairs where the fault applies."
