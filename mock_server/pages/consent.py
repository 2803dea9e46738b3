"""`consent` scenarios: the next hosted flow of a vendor decides itself when its page is opened, as if the user
had clicked: the page's own form is submitted with the decision, so the flow ends in the vendor's documented
outcome (a redirect to the return URL, the result page and its `postMessage`, Nango's SDK socket message).

| vendor | page | approve | deny |
|---|---|---|---|
| xpander | `connect/<connector>/<connection>` | Approve: `active` | Deny: `denied` |
| vercel | `authorize?request=…`, `install?request=…` | Allow | Deny (`error=access_denied`) |
| nango | `oauth?connect_session_token=…` | Allow | Deny (`access_denied` on the socket) |
| nango | `connect?session_token=…` | Connect the first offered integration | Cancel (`close`) |
| openint | `connect?token=…` | Connect the first offered connector config | refused: the page has no way to decline |

Typed credentials (an API key, a username…) are filled with mock values. Only a page that would ask for the
decision consumes the scenario: an expired or unknown link shows its error page and leaves it armed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from mock_server.journal import JournalEntry
from mock_server.pages.base import PageRequest, VendorPages
from mock_server.pages.nango import TYPED, NangoPages, Session
from mock_server.pages.openint import OpenIntPages, input_fields
from mock_server.pages.render import error_page
from mock_server.store import StoreFull
from mock_server.vendors.base import Reply
from mock_server.world import World
from speclib.profile import vendor_profile

__all__ = ["decided"]

TYPED_VALUE = "connmock-consent"


def decision_page(vendor: str, request: PageRequest) -> bool:
    """Whether the URL names a page that asks the user for a decision: one of the profile's
    `scenarios.consent-pages` (`connect/*/*`: any segment where `*`; `connect?session_token`: with that query
    parameter)."""
    for pattern in vendor_profile(vendor).consent_pages:
        path, _, needed = pattern.partition("?")
        segments = tuple(path.split("/"))
        if len(segments) != len(request.page) or (needed and needed not in request.query):
            continue
        if all(s in ("*", p) for s, p in zip(segments, request.page, strict=True)):
            return True
    return False


async def nango_connect_form(pages: NangoPages, request: PageRequest, decision: str) -> dict[str, str] | None:
    if decision == "deny":
        return {"step": "cancel"}
    session = await pages.session(request)
    if not isinstance(session, Session) or not session.integrations:
        return None
    integration = session.integrations[0]
    typed = {f"credential.{name}": TYPED_VALUE for name, _, _ in TYPED.get(integration.auth_mode, ())}
    return {"step": "connect", "integration": integration.unique_key, **typed}


def openint_connect_form(pages: OpenIntPages, request: PageRequest) -> dict[str, str] | None:
    session = pages.session(request)
    if isinstance(session, Reply):
        return None
    config = session.configs[0]
    typed = {f"setting.{name}": TYPED_VALUE for name in input_fields(pages.service.catalog, config.connector_name)}
    return {"step": "connect", "connector_config_id": config.id, **typed}


async def decision_form(pages: VendorPages, request: PageRequest, decision: str) -> dict[str, str] | None:
    """The form the page's own buttons would post for `decision`; None when the page cannot take one."""
    if isinstance(pages, NangoPages) and request.page == ("connect",):
        return await nango_connect_form(pages, request, decision)
    if isinstance(pages, OpenIntPages):
        return openint_connect_form(pages, request)
    return {"decision": decision}


def link_query(query_string: str) -> str:
    """A page link's query for the journal: names only, every value redacted (a link's query is what authorizes
    it: a session or customer token, a request id)."""
    return "&".join(f"{name}=[redacted]" for name, _ in parse_qsl(query_string, keep_blank_values=True))


async def askable(pages: VendorPages, request: PageRequest) -> bool:
    """Whether the page would ask the user (it shows, 200). Nango's OAuth popup is asked its session directly:
    showing it with a dead token would also tell the SDK's socket about the error."""
    if isinstance(pages, NangoPages) and request.page == ("oauth",):
        token = request.arg("connect_session_token")
        return await pages.sessions.find(token, pages.world.clock.now()) is not None
    return (await pages.show(request)).status == 200


async def decided(world: World, vendor: str, pages: VendorPages, request: PageRequest, path: str,
                  query_string: str) -> Reply | None:
    """The outcome of the page's flow when a consent scenario for `vendor` is armed and the page asks for a
    decision; None to show the page as usual."""
    if not world.scenarios.armed(vendor, "consent") or not decision_page(vendor, request):
        return None
    if not await askable(pages, request):  # an expired or used link: its error page, scenario kept
        return None
    scenario = world.scenarios.take(vendor, ("consent",), None, None)
    if scenario is None or scenario.decision is None:
        return None
    form = await decision_form(pages, request, scenario.decision)
    try:
        reply = await pages.submit(PageRequest(request.page, request.query, form or {}))
    except StoreFull:
        reply = error_page(vendor, "Mock is full", "The mock holds as many records as it may; reset it.", 507)
    world.journal.add(JournalEntry(
        at=world.clock.now().isoformat(), vendor=vendor, operation=None, method="GET", path=path,
        query=link_query(query_string), status=reply.status, duration_ms=0.0, request_body=None,
        response_body=None, scenario=scenario.label))
    return reply

