"""The recording format: one vendor's exchanges in order, with the responses a server gave.

A recording is JSON (`fixtures/recordings/<vendor>/<name>.json`, described in that folder's README.md):

    {"format": "connmock.recording/1", "vendor": "nango", "name": "connections",
     "source": {...provenance...},
     "roles": {"<SECRET_KEY>": {"kind": "secret_key", "tenant": 0},
               "github-import-test": {"kind": "integration", "tenant": 0, "match": {"provider": "github"}}},
     "exchanges": [{"label": "...", "setup": false,
                    "request": {"method": "POST", "path": "/connections?x=1", "headers": {...},
                                "body": {...} | "body_text": "raw bytes as text"},
                    "response": {"status": 201 | null, "headers": {...}, "body": {...}}, "note": "..."}]}

`roles` names the recorded values that stand for something the target has under another name (a key, a
seeded id); `setup` exchanges made such objects on the recorded server and are skipped by default.
A `status` of null means the server gave no HTTP response at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["Exchange", "RecordedRequest", "RecordedResponse", "Recording", "Role", "bundled_dir", "save", "to_data"]

FORMAT = "connmock.recording/1"


@dataclass(slots=True)
class Role:
    """What a recorded value stands for: a tenant's secret key, or one of its seeded objects."""

    kind: str  # secret_key | integration | connector_config
    tenant: int = 0
    match: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str  # relative to the vendor's base URL, query string included
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # a JSON value, sent as JSON (None: no body)
    body_text: str | None = None  # sent verbatim instead of `body` (malformed JSON)


@dataclass(slots=True)
class RecordedResponse:
    status: int | None  # None: no HTTP response (the connection was dropped)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass(slots=True)
class Exchange:
    label: str
    request: RecordedRequest
    response: RecordedResponse
    setup: bool = False
    note: str = ""


@dataclass(slots=True)
class Recording:
    vendor: str
    name: str
    exchanges: list[Exchange]
    roles: dict[str, Role] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """How allow-lists and reports name it: `<vendor>/<name>`."""
        return f"{self.vendor}/{self.name}"


def parse(data: dict[str, Any]) -> Recording:
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document (format={data.get('format')!r})")
    exchanges = []
    for item in data["exchanges"]:
        req, res = item["request"], item["response"]
        exchanges.append(Exchange(
            label=item.get("label", ""),
            request=RecordedRequest(req["method"].upper(), req["path"], dict(req.get("headers") or {}),
                                    req.get("body"), req.get("body_text")),
            response=RecordedResponse(res.get("status"), dict(res.get("headers") or {}), res.get("body")),
            setup=bool(item.get("setup", False)),
            note=item.get("note", ""),
        ))
    roles = {value: Role(r["kind"], int(r.get("tenant", 0)), dict(r.get("match") or {}))
             for value, r in (data.get("roles") or {}).items()}
    return Recording(data["vendor"], data["name"], exchanges, roles, dict(data.get("source") or {}))


def to_data(recording: Recording) -> dict[str, Any]:
    """The JSON document of a recording (what `parse` reads back)."""
    exchanges = []
    for ex in recording.exchanges:
        request: dict[str, Any] = {"method": ex.request.method, "path": ex.request.path,
                                   "headers": ex.request.headers}
        if ex.request.body_text is not None:
            request["body_text"] = ex.request.body_text
        else:
            request["body"] = ex.request.body
        item: dict[str, Any] = {"label": ex.label}
        if ex.setup:
            item["setup"] = True
        item["request"] = request
        item["response"] = {"status": ex.response.status, "headers": ex.response.headers, "body": ex.response.body}
        if ex.note:
            item["note"] = ex.note
        exchanges.append(item)
    roles = {value: {"kind": r.kind, "tenant": r.tenant, **({"match": r.match} if r.match else {})}
             for value, r in recording.roles.items()}
    return {"format": FORMAT, "vendor": recording.vendor, "name": recording.name, "source": recording.source,
            "roles": roles, "exchanges": exchanges}


def load(path: str | Path) -> Recording:
    return parse(json.loads(Path(path).read_text(encoding="utf-8")))


def save(recording: Recording, path: str | Path) -> None:
    Path(path).write_text(json.dumps(to_data(recording), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def bundled_dir() -> Path:
    """`fixtures/recordings/` of the installed package (shipped in the wheel)."""
    return Path(str(resources.files("fixtures") / "recordings"))


def bundled() -> list[Path]:
    """Every recording shipped with connmock, sorted (`<vendor>/<name>.json`)."""
    return sorted(bundled_dir().glob("*/*.json"))
