"""The input rules Nango's zod schemas apply beyond what OpenAPI 3.0 can say: tag keys, tags derived from
the deprecated `end_user`/`organization`, and webhook URL overrides. Failures are body validation errors,
reported like the schema's own (the gate has already checked types and lengths)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from mock_server.errors import InvalidRequest
from speclib import FieldError
from speclib.validation import EMAIL

__all__ = ["checked_tags", "end_user_tags", "lowered", "public_end_user", "tag_errors", "webhook_override"]

TAG_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-./]*\Z")  # \Z: JavaScript's `$` refuses a final newline
MAX_TAG_KEY = 64
NANGO_DOMAIN = "Webhook URLs cannot point to Nango's domain (nango.dev)."


def tag_errors(tags: dict[str, str], path: tuple[str, ...]) -> list[FieldError]:
    """tags/schema.ts: each bad key is zod v4's `invalid_key`; only when every key passes do the record's own
    checks run (duplicates after lower-casing, the `end_user_email` value), each an issue at the record itself."""
    keys = [FieldError((*path, key), "invalid_key", "Invalid key in record")
            for key in tags if not TAG_KEY.match(key) or len(key) > MAX_TAG_KEY]
    if keys:
        return keys
    errors, seen = [], set()
    for key, value in tags.items():
        normalized = key.lower()
        if normalized in seen:
            errors.append(FieldError(path, "custom", f'Duplicate tag key after case normalization: "{normalized}"'))
        seen.add(normalized)
        if normalized == "end_user_email" and not (isinstance(value, str) and len(value) >= 5
                                                   and EMAIL.match(value)):
            errors.append(FieldError(path, "custom", 'Tag "end_user_email" must be a valid email'))
    return errors


def lowered(tags: dict[str, str] | None) -> dict[str, str]:
    return {key.lower(): value for key, value in (tags or {}).items()}


def end_user_tags(end_user: dict[str, Any] | None, organization: dict[str, Any] | None = None) -> dict[str, str]:
    """Nango's `buildTagsFromEndUser`: end user, then organization, then the end user's own tags."""
    end_user, organization = end_user or {}, organization or {}
    derived = {"end_user_id": end_user.get("id"), "end_user_email": end_user.get("email"),
               "end_user_display_name": end_user.get("display_name"), "organization_id": organization.get("id"),
               "organization_display_name": organization.get("display_name")}
    return {**{k: v for k, v in derived.items() if v}, **lowered(end_user.get("tags"))}


def checked_tags(body: dict[str, Any], organization: dict[str, Any] | None = None) -> dict[str, str] | None:
    """The tags a body sets (derived from its end user first, explicit tags win); None when it sets none."""
    errors = tag_errors(body.get("tags") or {}, ("tags",))
    errors += tag_errors((body.get("end_user") or {}).get("tags") or {}, ("end_user", "tags"))
    errors += webhook_errors(body)
    if errors:
        raise InvalidRequest("Invalid request body", errors=errors, location="body")
    if body.get("tags") is None and body.get("end_user") is None:
        return None
    return {**end_user_tags(body.get("end_user"), organization), **lowered(body.get("tags"))}


def public_end_user(end_user: dict[str, Any] | None, organization: dict[str, Any] | None = None
                    ) -> dict[str, Any] | None:
    """The `end_user` of a connection, as Nango's `EndUserMapper.to` shows it."""
    if not end_user:
        return None
    org = ({"id": organization["id"], "display_name": organization.get("display_name")}
           if organization else None)
    return {"id": end_user["id"], "email": end_user.get("email"), "display_name": end_user.get("display_name"),
            "organization": org, "tags": end_user.get("tags")}


def webhook_errors(body: dict[str, Any]) -> list[FieldError]:
    url = body.get("webhook_url_override")
    if not url:
        return []
    host = (urlsplit(url).hostname or "").lower()
    if host == "nango.dev" or host.endswith(".nango.dev"):
        return [FieldError(("webhook_url_override",), "custom", NANGO_DOMAIN)]
    return []


def webhook_override(body: dict[str, Any]) -> dict[str, Any]:
    """The `webhook_url_override` change a body asks for: `""` clears it, absent leaves it."""
    if "webhook_url_override" not in body:
        return {}
    return {"webhook_url_override": body["webhook_url_override"] or None}
