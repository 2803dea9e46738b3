"""`connmock proxy --record DIR`: the traffic through the proxy, kept as a `connmock.recording/1` file.

What is written is replayable against another implementation (`connmock replay`) and holds no secret:

- the credential a request carries (the spec's security schemes' headers) becomes a role placeholder:
  `<SECRET_KEY>` for the primary tenant's key, `<SECRET_KEY_2>` for the other's (known from `--record-config`,
  a `connmock check` target TOML, or the upstream's `/__connmock/tenants`; else by order of appearance); any
  other key is masked keeping its shape (a UUID stays a UUID), so a replay still sends a wrong key;
- every value under a secret mark of a request body (`writeOnly`, `x-connmock-secret`; one shorter than 8
  characters only where it stands), and every generated
  token in an answer (`nango_connect_session_…`, a JWT), is masked keeping its prefix, length and character
  classes -- wherever it appears afterwards, in bodies, URLs or headers;
- seeded objects become role placeholders (`<integration:OAUTH2>`, `<connector_config:github>`), so the
  replay uses the target's own; ids a server generates stay: the replay carries them by shape.

Only the headers a replay sends or compares are kept. The file is rewritten after every exchange.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connmock.fidelity.recordings import (
    Exchange,
    RecordedRequest,
    RecordedResponse,
    Recording,
    Role,
    save,
)
from connmock.fidelity.substitution import substitute, substitute_whole
from speclib import SecretRule, secret_rules
from speclib.loader import Spec
from speclib.secrets import secret_values

__all__ = ["Recorder", "Seeded", "masked", "seeded_from"]

KEPT_REQUEST_HEADERS = frozenset({"content-type"})
KEPT_RESPONSE_HEADERS = frozenset({"content-type", "access-control-allow-origin", "x-ratelimit-limit",
                                   "x-ratelimit-remaining", "x-ratelimit-reset", "location"})
CREDENTIAL_NAME = re.compile(  # a field that holds a credential, by its name (snake or camel case)
    r"(^|_)(api_?key|token|access_?token|refresh_?token|secret|secret_?key|client_?secret|password|private_?key)$",
    re.IGNORECASE)
MIN_SEARCHED = 8  # shorter secrets are masked in place only: as text they would match inside other words
MATCH_FIELDS = {"integration": "auth_mode", "connector_config": "connector_name"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
TOKEN_IN_TEXT = re.compile(  # a generated token inside any string: prefixed random tails and JWTs (not ULID ids)
    r"eyJ[\w-]+\.[\w-]+\.[\w-]+|\b(?:[a-z][a-z0-9]*_)+(?![0-9A-HJKMNP-TV-Z]{26}\b)[A-Za-z0-9]{24,}\b")


@dataclass(slots=True)
class Seeded:
    """What the recorder knows of the upstream: tenant keys in order, seeded ids by role."""

    keys: list[str] = field(default_factory=list)
    objects: dict[str, Role] = field(default_factory=dict)  # upstream id -> role


def masked(value: str, counter: int) -> str:
    """`value` with its shape kept (prefix, length, character classes) and its content gone; unique per counter."""
    if UUID.match(value):
        tail = f"{counter:012x}"
        return f"00000000-0000-4000-8000-{tail}"
    prefix = "eyJ" if value.startswith("eyJ") else ""  # a JWT stays recognisable as one
    found = re.match(r"^((?:[a-z][a-z0-9]*_)+)", value)
    if found and len(value) - found.end() >= 8:
        prefix = found.group(1)
    body = "".join("0" if c.isdigit() else "a" if c.islower() else "A" if c.isupper() else c  # hex stays hex
                   for c in value[len(prefix):])
    number = str(counter)
    return prefix + (body[: max(len(body) - len(number), 0)] + number if body else number)


class Recorder:
    """Collects exchanges into one recording at `path` (thread-safe; the proxy serves concurrently)."""

    def __init__(self, spec: Spec, path: Path, credentials: tuple[str, ...], seeded: Seeded,
                 name: str = "recorded", source: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.path = path
        self.credentials = credentials  # request header names that carry a credential (lower case)
        self.rules: dict[str, tuple[SecretRule, ...]] = secret_rules(spec)
        self.lock = threading.Lock()
        self.recording = Recording(spec.vendor, name, [], {}, dict(source or {}))
        self.secrets: dict[str, str] = {}  # secret value -> placeholder
        self.short: dict[str, str] = {}  # a secret too short to search for -> its stand-in (whole strings only)
        self.keys = list(seeded.keys)
        self.keys_known = bool(seeded.keys)  # else the first two keys seen are the tenants'
        for index, key in enumerate(self.keys):
            self.key_placeholder(key, index)
        self.objects = {value: self.role_placeholder(role) for value, role in seeded.objects.items()}

    # --- placeholders ----------------------------------------------------------------------------------------

    def key_placeholder(self, key: str, tenant: int) -> str:
        placeholder = "<SECRET_KEY>" if tenant == 0 else f"<SECRET_KEY_{tenant + 1}>"
        self.secrets[key] = placeholder
        self.recording.roles[placeholder] = Role("secret_key", tenant)
        return placeholder

    def role_placeholder(self, role: Role) -> str:
        selector = next(iter(role.match.values()), "")
        placeholder = f"<{role.kind}:{selector}>" if role.tenant == 0 else f"<{role.kind}:{selector}:{role.tenant}>"
        self.recording.roles[placeholder] = role
        return placeholder

    def secret(self, value: str) -> str:
        if value not in self.secrets:
            self.secrets[value] = masked(value, len(self.secrets) + 1)
        return self.secrets[value]

    def credential(self, value: str) -> str:
        """A credential header's value with its key replaced: a tenant's role, else a masked stand-in."""
        scheme, _, key = value.partition(" ") if " " in value else ("", "", value)
        key = key.strip()
        if key and key not in self.secrets:
            if len(self.keys) < 2 and not self.keys_known:
                self.keys.append(key)
                self.key_placeholder(key, len(self.keys) - 1)
            else:
                self.secret(key)
        replaced = self.secrets.get(key, key)
        return f"{scheme} {replaced}" if scheme else replaced

    # --- one exchange ----------------------------------------------------------------------------------------

    def remember_named(self, value: Any) -> None:
        """Credentials an answer mints (`api_key`, `token`, `refresh_token` …): remembered by field name,
        since no request carried them and an id-shaped key (`key_cus_<ULID>`) escapes the token patterns."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and len(item) >= MIN_SEARCHED and CREDENTIAL_NAME.search(key):
                    self.secret(item)
                else:
                    self.remember_named(item)
        elif isinstance(value, list):
            for item in value:
                self.remember_named(item)

    def clean(self, value: Any) -> Any:
        """Every known secret and seeded id replaced by its placeholder; generated tokens masked."""
        if isinstance(value, str):
            for token in TOKEN_IN_TEXT.findall(value):
                self.secret(token)
        elif isinstance(value, list | dict):
            for text in strings(value):
                for token in TOKEN_IN_TEXT.findall(text):
                    self.secret(token)
        out = replace_ids(substitute(value, self.secrets), self.objects)
        return substitute_whole(out, self.short)

    def add(self, operation: str | None, method: str, path: str, headers: list[tuple[str, str]],
            body: bytes | None, status: int | None, response_headers: list[tuple[str, str]],
            response_body: bytes | None) -> None:
        with self.lock:
            request_headers: dict[str, str] = {}
            for name, value in headers:
                lowered = name.lower()
                if lowered in self.credentials:
                    request_headers[name] = self.credential(value)
                elif lowered in KEPT_REQUEST_HEADERS:
                    request_headers[name] = value
            parsed, text = parse(body)
            if parsed is not None and operation in self.rules:
                for where, value, _rule in secret_values(self.rules[operation], parsed):
                    if len(value) >= MIN_SEARCHED:
                        self.secret(value)  # masked wherever it appears, now and later
                    else:  # too short to search for in text ("x", "acme"): masked where it stands, and as a
                        # whole JSON string wherever one equals it (an echo of the field)
                        self.short.setdefault(value, masked(value, len(self.secrets) + len(self.short) + 1))
                        parsed = masked_at(parsed, where, self.short[value])
            answer, answer_text = parse(response_body)
            self.remember_named(answer)
            kept = {k: v for k, v in response_headers if k.lower() in KEPT_RESPONSE_HEADERS}
            request = RecordedRequest(method, self.clean(path), self.clean(request_headers),
                                      self.clean(parsed) if text is None else None,
                                      self.clean(text) if text is not None else None)
            response = RecordedResponse(status, self.clean(kept),
                                        self.clean(answer if answer_text is None else answer_text))
            label = f"{len(self.recording.exchanges)} {method} {request.path.split('?')[0]}"
            self.recording.exchanges.append(Exchange(label, request, response))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            save(self.recording, self.path)


def seeded_from(keys: tuple[str, ...], roles: dict[str, str]) -> Seeded:
    """`Seeded` from a side's keys and its roles (`integration:OAUTH2` -> id)."""
    objects = {}
    for name, value in roles.items():
        kind, _, selector = name.partition(":")
        objects[value] = Role(kind, 0, {MATCH_FIELDS.get(kind, "id"): selector})
    return Seeded([k for k in keys if k], objects)


def masked_at(value: Any, where: tuple[str, ...], replacement: str) -> Any:
    """`value` with the string at `where` (keys, and list indexes as text) replaced."""
    if not where:
        return replacement
    head, rest = where[0], where[1:]
    if isinstance(value, dict):
        return {k: masked_at(v, rest, replacement) if k == head else v for k, v in value.items()}
    if isinstance(value, list):
        return [masked_at(v, rest, replacement) if str(i) == head else v for i, v in enumerate(value)]
    return value


def parse(body: bytes | None) -> tuple[Any, str | None]:
    """(JSON value, None), or (None, raw text) for a body that is not JSON; (None, None) for no body."""
    if not body:
        return None, None
    try:
        return json.loads(body), None
    except ValueError:
        return None, body.decode("utf-8", "replace")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    return []


def replace_ids(value: Any, objects: dict[str, str]) -> Any:
    """Seeded ids -> role placeholders, only where the id stands alone (not inside a longer word)."""
    if not objects:
        return value
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(k)}(?![\w-])" for k in sorted(objects, key=len,
                                                                                        reverse=True)))
    if isinstance(value, str):
        return pattern.sub(lambda found: objects[found.group(0)], value)
    if isinstance(value, list):
        return [replace_ids(v, objects) for v in value]
    if isinstance(value, dict):
        return {replace_ids(k, objects): replace_ids(v, objects) for k, v in value.items()}
    return value
