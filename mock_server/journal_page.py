"""The journal page at `/__connmock/`: requests, stored objects, armed scenarios and webhook deliveries.

Server-rendered, no build step. It works without JavaScript (a `<noscript>` meta refresh every 5 s, and a
Reload link); with it, `journal.js` refetches the page every 2 s and swaps the content in, pausing while a
`<details>` is open. Every value reaches the HTML through `html.escape` (paths, bodies and payloads come from
the mock's users); request bodies are the journal's redacted ones; stored objects and scenarios are masked
(`journal_view.py`); the webhook signing keys are never in any of it. A client that asks for JSON
(`Accept: application/json`, no `text/html`) gets an index of the admin endpoints instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Scope

from mock_server.journal import DeliveryEntry, JournalEntry
from mock_server.journal_view import StoredObjects, armed_scenarios, pretty, stored_objects
from mock_server.vendors.base import Reply
from mock_server.world import World

__all__ = ["JournalPage"]

SCRIPT = Path(__file__).with_name("journal_page.js")
HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # No inline script at all: what the page shows was sent by someone else.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}
SHOWN = 200  # newest requests and deliveries on the page (the JSON endpoints have them all)

LAYOUT = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="5"></noscript>
<title>connmock journal</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 78rem; padding: 1rem 1.5rem;
       color: #1b1f24; background: #f6f8fa; }
h1 { font-size: 1.35rem; margin: 0; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #eaeef2; font-weight: 600; }
td.path { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
pre { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12px; }
.s2 { color: #116329; } .s3 { color: #6e7781; } .s4 { color: #9a6700; } .s5 { color: #cf222e; font-weight: 600; }
.empty { color: #57606a; font-style: italic; } .flag { background: #fff8c5; padding: 0 .3rem; border-radius: 4px; }
</style>
<script src="/__connmock/journal.js" defer></script>
</head>
<body>
<header><h1>connmock journal</h1>
<a href="/__connmock/" id="reload">Reload</a>
<span id="live" role="status">refreshes every few seconds</span>
<a href="/__connmock/requests">requests (JSON)</a> <a href="/__connmock/webhooks/deliveries">deliveries (JSON)</a>
<a href="/ui/">Swagger UI</a></header>
<main id="journal">
$main
</main>
</body>
</html>
""")


def when(at: str) -> str:
    """The time of day (to the millisecond), the whole timestamp on hover."""
    return f'<td title="{escape(at)}">{escape(at[11:23] or at)}</td>'


def details(summary: str, value: Any) -> str:
    if value is None:
        return ""
    return f"<details><summary>{escape(summary)}</summary><pre>{escape(pretty(value))}</pre></details>"


def status_cell(status: int | None) -> str:
    if status is None:
        return "<td>no answer</td>"
    return f'<td class="s{status // 100}">{status}</td>'


def table(caption: str, head: Iterable[str], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<h2>{escape(caption)}</h2><p class="empty">{escape(empty)}</p>'
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f'<h2>{escape(caption)}</h2><table><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def request_row(entry: JournalEntry) -> str:
    path = entry.path + (f"?{entry.query}" if entry.query else "")
    operation = escape(entry.operation) if entry.operation else '<span class="flag">not mocked</span>'
    bodies = details("request body (redacted)", entry.request_body) + details("error answer", entry.response_body)
    return (f"<tr>{when(entry.at)}<td>{escape(entry.method)}</td><td class=path>{escape(path)}{bodies}"
            f"</td>{status_cell(entry.status)}<td>{escape(entry.vendor or '')}</td>"
            f"<td>{escape(entry.tenant or '')}</td><td>{operation}</td></tr>")


def delivery_row(entry: DeliveryEntry) -> str:
    return (f"<tr>{when(entry.at)}<td>{escape(entry.event)}{details('payload', entry.body)}</td>"
            f"<td>{escape(entry.tenant)}</td><td class=path>{escape(entry.url)}</td><td>{entry.attempt}</td>"
            f"{status_cell(entry.status)}<td>{escape(entry.outcome)}</td><td>{escape(entry.error or '')}</td></tr>")


def objects_rows(groups: list[StoredObjects]) -> list[str]:
    def shown(group: StoredObjects) -> str:
        first = f"the first {len(group.objects)}" if len(group.objects) < group.count else "show"
        return details(f"{first} (secrets masked)", group.objects)

    return [f"<tr><td>{escape(g.tenant)}</td><td>{escape(g.vendor)}</td><td>{g.count} {escape(g.kind)}"
            f"{shown(g)}</td></tr>" for g in groups if g.count]


def scenario_rows(scenarios: list[dict[str, Any]]) -> list[str]:
    return [f"<tr><td>{index}</td><td><pre>{escape(pretty(s))}</pre></td></tr>"
            for index, s in enumerate(scenarios, start=1)]


async def render(world: World) -> str:
    requests = [request_row(e) for e in reversed(world.journal.entries()[-SHOWN:])]
    deliveries = [delivery_row(d) for d in reversed(world.journal.deliveries()[-SHOWN:])]
    sections = [
        table("Requests, newest first", ("at", "method", "path", "status", "vendor", "tenant", "operation"),
              requests, "No request yet."),
        table("Stored objects", ("tenant", "vendor", "objects"), objects_rows(await stored_objects(world)),
              "Nothing stored (POST /__connmock/reset empties the store)."),
        table("Armed scenarios", ("#", "scenario"), scenario_rows(armed_scenarios(world)), "No scenario armed."),
        table("Webhook deliveries, newest first",
              ("at", "event", "tenant", "url", "attempt", "status", "outcome", "error"), deliveries,
              "No webhook sent (see docs/webhooks.md to set a tenant's webhook URL)."),
    ]
    return LAYOUT.substitute(main="\n".join(sections))


def wants_html(scope: Scope) -> bool:
    accept = Headers(scope=scope).get("accept", "")
    return "text/html" in accept or "application/json" not in accept


class JournalPage:
    def __init__(self, world: World) -> None:
        self.world = world

    async def handle(self, name: str, method: str, scope: Scope) -> Reply | None:
        """The answer for admin path `name` (after `/__connmock/`), or None when it is not the page's."""
        if method not in ("GET", "HEAD"):
            return None
        if name == "journal.js":
            return Reply(200, SCRIPT.read_bytes(), content_type="text/javascript", headers=dict(HEADERS))
        if name != "":
            return None
        if not wants_html(scope):
            return Reply(200, {"journal_page": "/__connmock/", "requests": "/__connmock/requests",
                               "tenants": "/__connmock/tenants", "webhooks": "/__connmock/webhooks",
                               "deliveries": "/__connmock/webhooks/deliveries", "reset": "POST /__connmock/reset"})
        page = await render(self.world)
        return Reply(200, page.encode(), content_type="text/html", headers=dict(HEADERS))
