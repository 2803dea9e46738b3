"""The shared renderer of the hosted pages: one layout, a few accessible building blocks, and the replies.

Every value reaches HTML through `escape` (or an `Html` built from escaped parts), so a connection name
like `<script>` is shown as text. Pages never put a secret in HTML: forms have no `action`, so they post
back to the page's own URL, query string (the session token) included, without rendering it. Every page is
sent with `HEADERS`: no caching, no referrer to another site, and no framing (but where `framable` allows it).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import Template
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from mock_server.vendors.base import Reply

__all__ = [
    "Html", "Outcome", "actions", "button", "choices", "details", "error_page", "field", "form", "framable", "join",
    "notify", "page", "paragraph", "redirectable", "same_origin", "with_form_fields"
]

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'"
HEADERS = {
    "cache-control": "no-store",
    # The page URL carries a token: never sent to another site. Same-origin requests keep the referrer, so the
    # browser names the page's origin on its form's POST (`no-referrer` would make it `Origin: null`).
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    # A consent page in another site's frame could be clicked through unseen: no frame may hold it.
    "x-frame-options": "DENY",
    "content-security-policy": f"{CSP}; frame-ancestors 'none'",  # inline style and script only
}
FORM_OPEN = '<form method="post">'

LAYOUT = Template("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · connmock</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
main { max-width: 30rem; margin: 3rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0,0,0,.15); }
.vendor { text-transform: uppercase; letter-spacing: .08em; font-size: .75rem; color: #57606a; margin: 0; }
h1 { font-size: 1.4rem; margin: .25rem 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 1rem; }
label { display: block; margin: .35rem 0; }
input[type=text], input[type=password] { display: block; width: 100%; box-sizing: border-box; padding: .4rem; }
.actions { display: flex; gap: .75rem; margin-top: 1.25rem; }
button { font: inherit; padding: .5rem 1.1rem; border-radius: 6px; border: 1px solid #8c959f; background: #fff; }
button.primary { background: #0b5cad; border-color: #0b5cad; color: #fff; }
[role=alert] { border-left: 4px solid #cf222e; padding: .25rem .75rem; background: #fff5f5; }
.note { color: #57606a; font-size: .875rem; }
</style>
</head>
<body>
<main>
<p class="vendor">$vendor · connmock</p>
<h1>$title</h1>
$body
</main>
$script
</body>
</html>
""")


class Html(str):
    """Markup that is already safe: built from escaped values only."""


def escape(value: Any) -> Html:
    return value if isinstance(value, Html) else Html(html.escape("" if value is None else str(value)))


def join(parts: Iterable[Html]) -> Html:
    return Html("\n".join(parts))


def paragraph(text: Any, css: str | None = None) -> Html:
    return Html(f'<p class="{css}">{escape(text)}</p>' if css else f"<p>{escape(text)}</p>")


def alert(text: Any) -> Html:
    return Html(f'<p role="alert">{escape(text)}</p>')


def details(rows: Mapping[str, Any]) -> Html:
    """A definition list of what the user is agreeing to (None values are left out)."""
    items = (f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows.items() if v is not None)
    return Html(f"<dl>{''.join(items)}</dl>")


def button(label: str, value: str, primary: bool = False, name: str = "decision") -> Html:
    css = ' class="primary"' if primary else ""
    return Html(f'<button type="submit" name="{escape(name)}" value="{escape(value)}"{css}>{escape(label)}</button>')


def field(label: str, name: str, secret: bool = False) -> Html:
    """A required text input; a secret one is a password input that is never pre-filled."""
    kind = "password" if secret else "text"
    extra = ' autocomplete="off"' if secret else ""
    return Html(f'<label>{escape(label)}<input type="{kind}" name="{escape(name)}" required{extra}></label>')


def choices(legend: str, name: str, options: Iterable[tuple[str, str]]) -> Html:
    """A radio group (`value`, `label`); the first option is checked."""
    radios = [f'<label><input type="radio" name="{escape(name)}" value="{escape(value)}"'
              f'{" checked" if index == 0 else ""} required> {escape(label)}</label>'
              for index, (value, label) in enumerate(options)]
    return Html(f"<fieldset><legend>{escape(legend)}</legend>{''.join(radios)}</fieldset>")


def hidden_inputs(values: Mapping[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in values.items())


def form(*parts: Html, hidden: Mapping[str, str] | None = None) -> Html:
    """A POST form back to this very URL (no `action`: the query string is kept, never rendered)."""
    return Html(f"{FORM_OPEN}{hidden_inputs(hidden or {})}{join(parts)}</form>")


def with_form_fields(reply: Reply, fields: Mapping[str, str]) -> Reply:
    """Every form of a page `reply` carries `fields` as hidden inputs (the form token of `csrf`)."""
    if isinstance(reply.body, bytes) and reply.content_type == "text/html":
        opening = FORM_OPEN.encode()
        reply.body = reply.body.replace(opening, opening + hidden_inputs(fields).encode())
    return reply


def framable(reply: Reply) -> Reply:
    """`reply` without the framing ban, for a page a vendor's SDK puts in an iframe on the app's own site."""
    reply.headers.pop("x-frame-options", None)
    if "content-security-policy" in reply.headers:
        reply.headers["content-security-policy"] = CSP
    return reply


def actions(*buttons: Html) -> Html:
    return Html(f'<div class="actions">{"".join(buttons)}</div>')


def notify(messages: Iterable[dict[str, Any]]) -> Html:
    """A script posting `messages` to the window that opened or framed this page (ids only, never a secret)."""
    payload = orjson.dumps(list(messages)).decode().replace("<", "\\u003c")
    return Html(f"""<script>
(function () {{
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) {{ {payload}.forEach(function (message) {{ target.postMessage(message, "*"); }}); }}
}})();
</script>""")


def page(vendor: str, title: str, body: Html, status: int = 200, script: Html | None = None) -> Reply:
    text = LAYOUT.substitute(vendor=escape(vendor), title=escape(title), body=body, script=script or "")
    return Reply(status, text.encode(), headers=dict(HEADERS), content_type="text/html")


def error_page(vendor: str, title: str, message: str, status: int, code: str | None = None) -> Reply:
    body = join([alert(message), *([paragraph(f"Error code: {code}", "note")] if code else [])])
    return page(vendor, title, body, status)


def redirectable(url: str | None) -> bool:
    """Only http(s) URLs are followed after a flow (never `javascript:` or a relative path)."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def same_origin(url: str, other: str) -> bool:
    """Both are http(s) URLs of one origin (scheme, host and port)."""
    first, second = urlsplit(url), urlsplit(other)
    return redirectable(url) and redirectable(other) and \
        (first.scheme, first.netloc.lower()) == (second.scheme, second.netloc.lower())


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` added to its query string (existing parameters kept)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def redirect(url: str, params: Mapping[str, str]) -> Reply:
    return Reply(303, None, headers={**HEADERS, "location": with_query(url, params)})


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a finished flow ends: redirected to the vendor's return URL with `params`, else a result page."""

    key: str  # the vendor's mount name, as the result message names it: xpander, openint, vercel, nango
    vendor: str  # its display name
    title: str
    message: str
    params: dict[str, str]  # ids and states only: what the return URL's query and the result page show
    return_url: str | None = None
    messages: tuple[dict[str, Any], ...] = ()  # posted to the opener/parent by the result page
    note: str | None = None  # shown on the result page, e.g. why a return URL was not followed

    def reply(self) -> Reply:
        if redirectable(self.return_url):
            assert self.return_url is not None
            return redirect(self.return_url, self.params)
        result = {"type": "connmock:result", "vendor": self.key, "result": self.params}
        notes = [paragraph(self.note, "note")] if self.note else []
        body = join([Html(f'<p role="status">{escape(self.message)}</p>'), details(self.params), *notes,
                     paragraph("You can close this window.", "note")])
        return page(self.vendor, self.title, body, script=notify([*self.messages, result]))
