"""Imported credentials as Nango keeps and shows them.

- OAUTH1 / OAUTH2 / OAUTH2_CC: `{...credentials, raw: credentials}` (postConnection.ts), keys in the order
  of the zod schema (the spec's declaration order), `expires_at` re-read as a JavaScript date.
- API_KEY / BASIC / TBA: as given. Nango tests API_KEY / BASIC / TBA against the provider; a mock cannot,
  so they are accepted as they are.
- NONE: stored as `{}`.
- APP: Nango mints an installation token through GitHub; the mock mints an opaque `ghs_` token that lasts
  an hour, with GitHub's answer as `raw`.
- GET drops OAUTH2's `refresh_token` (also inside `raw`) unless `refresh_token=true`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mock_server.world import IdSource
from speclib import Spec
from speclib.validation import discriminator_values

__all__ = ["CredentialCatalog", "js_date", "shown_on_get", "with_offset"]

WITH_RAW = frozenset({"OAUTH1", "OAUTH2", "OAUTH2_CC"})
APP_TOKEN_LIFETIME = timedelta(hours=1)


def js_date(moment: datetime) -> str:
    """JavaScript's `Date.toISOString()`: UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def with_offset(stamp: str | None) -> str | None:
    """The same instant as Nango's GET writes it (`toApiTimestampWithTimezone`): `+00:00` instead of `Z`."""
    return f"{stamp[:-1]}+00:00" if stamp and stamp.endswith("Z") else stamp


def coerced_date(value: Any) -> Any:
    """What `z.coerce.date()` makes of an ISO string, serialised back by `JSON.stringify`."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return js_date(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


class CredentialCatalog:
    """The credential variants of `createConnection`, read once from the spec for their key order."""

    def __init__(self, spec: Spec) -> None:
        body = spec.operation("createConnection").body_schema() or {}
        union = body.get("properties", {}).get("credentials", {})
        self.order = {value: list(variant.get("properties", {}))
                      for variant in union.get("oneOf", []) for value in discriminator_values(variant, "type")}

    def ordered(self, credentials: dict[str, Any]) -> dict[str, Any]:
        declared = self.order.get(credentials["type"], [])
        keys = [k for k in declared if k in credentials] + [k for k in credentials if k not in declared]
        return {k: coerced_date(credentials[k]) if k == "expires_at" else credentials[k] for k in keys}

    def stored(self, credentials: dict[str, Any], now: datetime, ids: IdSource) -> dict[str, Any]:
        """The credentials a connection keeps, which the create answer echoes."""
        kind = credentials["type"]
        if kind == "NONE":
            return {}
        if kind == "APP":
            token, expires = f"ghs_{ids.hex(36)}", (now + APP_TOKEN_LIFETIME).astimezone(UTC)
            return {"type": "APP", "access_token": token, "expires_at": js_date(expires),
                    "raw": {"token": token, "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}
        given = self.ordered(credentials)
        return {**given, "raw": dict(given)} if kind in WITH_RAW else given


def shown_on_get(credentials: dict[str, Any], with_refresh_token: bool) -> dict[str, Any]:
    if credentials.get("type") != "OAUTH2" or with_refresh_token:
        return credentials
    shown = {k: v for k, v in credentials.items() if k != "refresh_token"}
    if isinstance(shown.get("raw"), dict):
        shown["raw"] = {k: v for k, v in shown["raw"].items() if k != "refresh_token"}
    return shown
