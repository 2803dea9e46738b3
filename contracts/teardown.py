"""Deleting what the run left on the target, at its end (the objects are tracked by `cleanup.py`).

Apart from `cleanup.py` because it drives the session, while the session keeps its registry of `cleanup.py`:
imports point one way only.
"""

from __future__ import annotations

from contracts.cleanup import GONE, Tracked, getter
from contracts.session import Session
from contracts.transport import NoAnswer

__all__ = ["clean_up"]


def remove(session: Session, tracked: Tracked, headers: dict[str, str]) -> int:
    """The status of the delete, then (when that is not plainly a success) of reading the object back."""
    who = tracked.tenant or session.target.primary
    delete = session.worked_around(session.case(tracked.operation_id, as_tenant=who, path=dict(tracked.path),
                                                query=dict(tracked.query), headers=headers), tracked.operation_id)
    status = session.transport.call(delete, session.target.base_url).status_code
    read = getter(session.spec, tracked.operation_id)
    if status < 300 or status in GONE or read is None:
        return status
    again = session.case(read, as_tenant=who, path=dict(tracked.path), query=dict(tracked.query))
    return 404 if session.transport.call(again, session.target.base_url).status_code in GONE else status


def clean_up(session: Session) -> list[str]:
    """Delete everything the run left on the target; one line per object that could not be deleted.

    A delete operation that got no answer even when retried the way a picky server expects is not tried again
    for the other objects: against a target that hangs on it, each try would cost the full timeout."""
    left: list[str] = []
    unanswered: dict[str, str] = {}  # delete operation -> why it got no answer
    for tracked in reversed(list(session.registry.objects.values())):
        if session.down:
            left.append(f"{tracked.describe()}: the target does not answer")
            continue
        if tracked.operation_id in unanswered:
            left.append(f"{tracked.describe()}: not tried ({tracked.operation_id} got no answer: "
                        f"{unanswered[tracked.operation_id]})")
            continue
        try:
            status = remove_or_retry(session, tracked)
        except NoAnswer as exc:
            if session.down:
                left.append(f"{tracked.describe()}: no answer")
            else:
                unanswered[tracked.operation_id] = exc.reason
                left.append(f"{tracked.describe()}: {exc.reason}")
            continue
        if not (status < 300 or status in GONE):
            left.append(f"{tracked.describe()}: got {status}")
    session.registry.objects.clear()
    return left


def remove_or_retry(session: Session, tracked: Tracked) -> int:
    """`remove`; when the target dropped the request (a server that dies on a DELETE without a body type), once
    it is back, once more the way such a server expects, and so from then on (as the suite's own requests are).
    Raises `NoAnswer` (with `session.down` set when the target did not come back)."""
    try:
        return remove(session, tracked, {})
    except NoAnswer:
        if not session.wait_for_target():
            session.down = True
            raise
    session.bare_killers.add(tracked.operation_id)
    return remove(session, tracked, {})
