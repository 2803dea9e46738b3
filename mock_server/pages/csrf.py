"""Proof that a page's POST (Approve, Deny, Connect…) came from the page itself.

Two checks, both before the vendor's page sees the form:

- **Where the browser says it comes from.** A browser names the site of a form's page: `Sec-Fetch-Site` (sent
  to `https` and loopback URLs) must be `same-origin` (or `none`, typed by the user), and `Origin` must be the
  mock's own (its host, or `public_url`). A post from another site, or from an opaque origin (`Origin: null`:
  a sandboxed frame, a `data:` page), is refused. The pages send `Referrer-Policy: same-origin`, so the
  browser names the page's own origin on its form's POST (under `no-referrer` it would send `null`).
- **A form token.** Every form carries a hidden `form_token` bound to the page's link (its path and query, which
  name the flow): a form built elsewhere, or taken from another flow's page, is refused. The link is the
  capability, and whoever holds it can open the page, so the token is no secret from them; it makes a
  post without the page (a client that sends neither header) fail too. Its key derives from the seed's
  secrets, so every worker started from the same seed accepts the tokens of the others, as OpenInt's
  customer tokens are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from fixtures import SeedData
from mock_server.pages.render import redirectable, same_origin
from openapi import vendors

__all__ = ["FIELD", "FormTokens", "cross_site", "form_key"]

FIELD = "form_token"
LABEL = b"connmock/pages/form-token"
ALLOWED_SITES = ("same-origin", "none")


def form_key(seed: SeedData) -> bytes:
    """A key only the seed's holder can derive (one way: it reveals no tenant secret)."""
    secrets = sorted(key for tenant in seed.tenants for vendor in vendors() if vendor in tenant.credentials
                     for key in tenant.keys(vendor))
    return hmac.new(LABEL, "\0".join(secrets).encode(), hashlib.sha256).digest()


class FormTokens:
    """Tokens bound to a page's link: `path?query` as the server received it, for GET and POST alike (a form
    without `action` posts back to the page's own URL)."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def issue(self, link: str) -> str:
        digest = hmac.new(self.key, link.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def valid(self, link: str, given: str) -> bool:
        return hmac.compare_digest(self.issue(link).encode(), given.encode("utf-8", "replace"))


def own_origin(origin: str, host: str, public_url: str | None) -> bool:
    """`origin` is the mock's own: the host the browser reached (a TLS-terminating proxy changes only the
    scheme), or the origin of `public_url`."""
    if not redirectable(origin):  # `null`, or anything else that is no web origin
        return False
    return bool(public_url and same_origin(origin, public_url)) or urlsplit(origin).netloc.lower() == host.lower()


def cross_site(headers: Headers, public_url: str | None) -> str | None:
    """Why a POST did not come from one of the mock's own pages (as the browser tells), or None when nothing
    says so. A client that is no browser sends neither header: the form token still has to match."""
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in ALLOWED_SITES:
        return "the browser sent it from another site"
    origin = headers.get("origin")
    if origin is not None and not own_origin(origin, headers.get("host", ""), public_url):
        return "the browser sent it from another origin"
    return None
