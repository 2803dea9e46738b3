"""Where each tenant's webhooks go: one `Target` per tenant and vendor, from `--webhook-url` or the admin API.

A tenant without a target gets no webhook (as a Nango environment without webhook settings). The signing key
is write-only: `public()` says where it comes from, never what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mock_server.journal import redacted_query

__all__ = ["WEBHOOK_VENDORS", "Target", "TargetError", "shown_url", "target_from", "targets_from_flags"]

WEBHOOK_VENDORS = ("nango",)  # the vendors whose docs describe connection webhooks (docs/webhooks.md)
FIELDS = {"url": str, "secondary_url": str, "signing_key": str, "on_auth_creation": bool,
          "on_auth_refresh_error": bool}


class TargetError(ValueError):
    """A target that cannot be used; `fields` names what is wrong, each with why."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secondary_url: str | None = None
    signing_key: str | None = None  # None: the tenant's Nango secret key (what Nango's SDK falls back to)
    on_auth_creation: bool = True
    on_auth_refresh_error: bool = True

    def public(self) -> dict[str, Any]:
        return {"url": shown_url(self.url), "secondary_url": shown_url(self.secondary_url),
                "signing_key": "custom (write-only)" if self.signing_key else "the tenant's Nango secret key",
                "on_auth_creation": self.on_auth_creation, "on_auth_refresh_error": self.on_auth_refresh_error}


def shown_url(url: str | None) -> str | None:
    """A URL as the journal and the admin API show it: no user info, secret-looking query values redacted."""
    if url is None:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, redacted_query(parts.query), ""))


def url_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "a URL is required"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        return "is not a valid URL (check its port)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http:// or https:// URL"
    return None


def target_from(body: Any) -> Target:
    """A target from the admin API's JSON body; every offending field is named."""
    if not isinstance(body, dict):
        raise TargetError("the body must be a JSON object, e.g. {\"url\": \"http://127.0.0.1:9000/hooks\"}")
    problems = {name: "unknown field" for name in body if name not in FIELDS}
    for name, kind in FIELDS.items():
        if name in body and body[name] is not None and not isinstance(body[name], kind):
            problems[name] = f"must be a {'boolean' if kind is bool else 'string'}"
    for name in ("url", "secondary_url"):
        if name not in problems and (name == "url" or body.get(name) is not None):
            problem = url_problem(body.get(name))
            if problem:
                problems[name] = problem
    if body.get("signing_key") == "":
        problems["signing_key"] = "must not be empty (leave it out to sign with the tenant's Nango secret key)"
    if problems:
        raise TargetError("invalid webhook target", problems)
    return Target(**{k: v for k, v in body.items() if v is not None})


def targets_from_flags(flags: tuple[str, ...], tenants: list[str]) -> dict[tuple[str, str], Target]:
    """`--webhook-url [TENANT:]VENDOR=URL`: without a tenant, every tenant's webhooks go to that URL."""
    found: dict[tuple[str, str], Target] = {}
    for flag in flags:
        name, sep, url = flag.partition("=")
        tenant, _, vendor = name.rpartition(":")
        if not sep or vendor not in WEBHOOK_VENDORS:
            raise TargetError(f"--webhook-url {flag}: expected [TENANT:]VENDOR=URL with VENDOR one of "
                              f"{', '.join(WEBHOOK_VENDORS)} (the others document no connection webhooks)")
        if tenant and tenant not in tenants:
            raise TargetError(f"--webhook-url {flag}: no tenant {tenant!r} (tenants: {', '.join(tenants)})")
        problem = url_problem(url)
        if problem:
            raise TargetError(f"--webhook-url {flag}: the URL {problem}")
        for each in [tenant] if tenant else tenants:
            found[(each, vendor)] = Target(url=url)
    return found
