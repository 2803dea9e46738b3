"""Nango's `auth` webhook as Nango's server sends it (`NangoHQ/nango` @ 2f4c0af, see openapi/README.md).

- Body (`packages/webhooks/lib/auth.ts` `sendAuth`): `from: "nango"`, `type: "auth"`, `connectionId`,
  `providerConfigKey`, `authMode`, `provider`, `environment`, `operation` (`creation` | `override` |
  `refresh`), `tags` (the connection's), `endUser` (only when the connection came through a connect session),
  `success`, and `error: {type, description}` when it failed. No credentials.
- Bytes on the wire (`utils.ts` `deliver`): `stringifyStable` (keys sorted at every level, `JSON.stringify`
  spacing), signed twice with the environment's webhook signing key: `X-Nango-Signature` is
  `sha256(key + body)` (legacy), `X-Nango-Hmac-Sha256` is `HMAC-SHA256(key, body)`, both lowercase hex.
- Retries (`retryFlexible` in `packages/utils/lib/retry.ts`, `NANGO_WEBHOOK_RETRY_ATTEMPTS` = 2): after a 5xx
  or a network error, waits of 3 s then 6 s (`3000 * 2 ** attempt`), so at most 3 attempts; a 3xx or 4xx is
  not retried (`shouldRetry`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

__all__ = ["auth_body", "headers", "stable_json"]

# `userAgent` of packages/utils/lib/http.ts: nango/<NANGO_VERSION> (<os>/<release>; node.js/<version>).
USER_AGENT = "nango/0.71.4 (linux/6.1.0; node.js/22.18.0)"
RETRY_DELAYS = (3.0, 6.0)  # seconds before the 2nd and 3rd attempt
ENVIRONMENT = "dev"  # a tenant is one Nango environment: the default environment of a new account
OPERATIONS = ("creation", "override", "refresh")


def stable_json(body: Any) -> bytes:
    """`safe-stable-stringify`: keys sorted, no spaces, non-ASCII left as is (as `JSON.stringify`)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def legacy_signature(key: str, payload: bytes) -> str:
    """`getSignatureHeaderUnsafe`: SHA-256 of the key followed by the body (open to length extension)."""
    return hashlib.sha256(key.encode() + payload).hexdigest()


def hmac_signature(key: str, payload: bytes) -> str:
    """`getHmacSignatureHeader`: HMAC-SHA256 of the body, keyed with the signing key."""
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def headers(key: str, payload: bytes) -> dict[str, str]:
    return {
        "X-Nango-Signature": legacy_signature(key, payload),
        "X-Nango-Hmac-Sha256": hmac_signature(key, payload),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def end_user_of(end_user: dict[str, Any] | None) -> dict[str, Any] | None:
    """`sendAuth`'s `endUser`, from a connection's API-shaped end user (`id`, `email`, `organization`, `tags`)."""
    if not end_user:
        return None
    organization = end_user.get("organization") or {}
    shown = {"endUserId": end_user["id"], "endUserEmail": end_user.get("email"),
             "organizationId": organization.get("id"), "tags": end_user.get("tags") or {}}
    return {k: v for k, v in shown.items() if v is not None or k == "endUserEmail"}  # undefined is dropped


def auth_body(record: dict[str, Any], auth_mode: str, operation: str, *, with_end_user: bool,
              error: dict[str, str] | None = None) -> dict[str, Any]:
    """The webhook of `operation` on the stored connection `record` (the mock's Nango connection)."""
    body: dict[str, Any] = {
        "from": "nango", "type": "auth", "connectionId": record["connection_id"],
        "providerConfigKey": record["provider_config_key"], "authMode": auth_mode,
        "provider": record.get("provider") or "unknown", "environment": ENVIRONMENT, "operation": operation,
        "tags": record.get("tags") or {}, "success": error is None,
    }
    end_user = end_user_of(record.get("end_user")) if with_end_user else None
    if end_user is not None:
        body["endUser"] = end_user
    if error is not None:
        body["error"] = error
    return body
