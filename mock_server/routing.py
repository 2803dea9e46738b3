"""The routing table of the vendor APIs, compiled once from the specs: which operation a request runs, or
why none does (the vendor's 404, a 405 with the methods the path takes, a trailing-slash redirect).

Routes are compiled the way Connexion's router compiles them (its path templates and converters, Starlette's
regexes) and matched in the spec's order, first match wins, so a request runs the operation Connexion would
have picked; `GET` answers `HEAD` too, as Starlette's routes do. A path no operation takes but one with its
trailing slash toggled does is redirected (307), as Starlette's `redirect_slashes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import starlette.convertors
from connexion.frameworks.starlette import FloatConverter, IntegerConverter, starlettify_path
from starlette.routing import compile_path
from starlette.types import Scope

from mock_server.plans import OperationPlan

__all__ = ["Found", "Miss", "RoutingTable", "keep_encoded_slashes", "route_path", "toggled"]


@dataclass(frozen=True, slots=True)
class Found:
    """The operation a request runs, with its raw (still escaped) path parameters."""

    plan: OperationPlan
    path_params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Miss:
    """No operation takes the request. `vendor`: whose mount the path is under (None: no vendor's);
    `allowed`: the methods the path takes (a 405 when any); `redirect`: the path with its trailing slash
    toggled, when an operation takes that one."""

    vendor: str | None
    allowed: tuple[str, ...] = ()
    redirect: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's route, or (with `plan` None) one path template and every method it takes."""

    prefix: str  # the template's literal start: a cheap test before the regex
    pattern: re.Pattern[str]
    convertors: dict[str, Any]
    plan: OperationPlan | None = None
    methods: tuple[str, ...] = ()
    literal: bool = False  # no path parameter: where it matches, it wins over templates (`/connections/metadata`)

    def matches(self, path: str) -> re.Match[str] | None:
        return self.pattern.match(path) if path.startswith(self.prefix) else None


def path_type(parameter: dict[str, Any]) -> Any:
    """Connexion's `get_path_parameter_types` for one parameter (which picks the route's converter)."""
    schema = parameter.get("schema", {})
    if schema.get("type") == "string" and schema.get("format") == "path":
        return "path"
    return schema.get("type")


def compiled(template: str) -> tuple[str, re.Pattern[str], dict[str, Any]]:
    pattern, _, convertors = compile_path(template)
    return template.split("{", 1)[0], pattern, convertors


class RoutingTable:
    """Every operation of every mounted vendor, by method for the hot path, and by path template for the
    requests no operation takes."""

    def __init__(self, plans: Iterable[OperationPlan], mounts: dict[str, str]) -> None:
        starlette.convertors.register_url_convertor("float", FloatConverter())  # as Connexion's router
        starlette.convertors.register_url_convertor("int", IntegerConverter())
        self.mounts = mounts  # vendor -> mount path
        self.by_method: dict[str, list[Route]] = {}
        templates: dict[str, tuple[str, list[str], bool]] = {}  # template -> vendor, methods, literal
        for plan in plans:
            operation = plan.operation
            types = {p["name"]: path_type(p) for p in operation.parameters if p.get("in") == "path"}
            template = starlettify_path(mounts[plan.vendor] + operation.path, types)
            route = Route(*compiled(template), plan=plan)
            for method in (operation.method, "HEAD") if operation.method == "GET" else (operation.method,):
                self.by_method.setdefault(method, []).append(route)
            templates.setdefault(template, (plan.vendor, [], "{" not in operation.path))[1].append(operation.method)
        self.by_vendor: dict[str, list[Route]] = {vendor: [] for vendor in mounts}
        for template, (vendor, methods, literal) in templates.items():
            route = Route(*compiled(template), methods=tuple(sorted(methods)), literal=literal)
            self.by_vendor[vendor].append(route)

    def match(self, method: str, path: str) -> Found | Miss:
        """The first route of `method` matching `path`, as Connexion's router picks it; else why none does."""
        for route in self.by_method.get(method, ()):
            found = route.matches(path)
            if found is not None:
                assert route.plan is not None
                convertors = route.convertors
                return Found(route.plan, {k: convertors[k].convert(v) for k, v in found.groupdict().items()})
        return self.miss(method, path)

    def miss(self, method: str, path: str) -> Miss:
        vendor = self.vendor_for(path)
        if vendor is not None:
            matching = [r for r in self.by_vendor[vendor] if r.matches(path)]
            matching = [r for r in matching if r.literal] or matching
            allowed = tuple(sorted({m for r in matching for m in r.methods}))
            if allowed and method not in allowed:
                return Miss(vendor, allowed)
        other = toggled(path)
        if path not in ("", "/") and any(r.matches(other) for routes in self.by_vendor.values() for r in routes):
            return Miss(vendor, redirect=other)
        return Miss(vendor)

    def vendor_for(self, path: str) -> str | None:
        for vendor, mount in self.mounts.items():
            if not mount or path == mount or path.startswith(mount + "/"):
                return vendor
        return None


def toggled(path: str) -> str:
    """`path` with its trailing slash removed, or added."""
    return path.rstrip("/") if path.endswith("/") else path + "/"


# Kept escaped inside a segment: `/` would split it, and the router never matches a line break.
REESCAPED = str.maketrans({"%": "%25", "/": "%2F", "\n": "%0A", "\r": "%0D"})


def keep_encoded_slashes(scope: Scope) -> Scope:
    """Rebuild `path` from `raw_path` so that `%2F` stays inside one segment (Vercel's `slack%2Fmy-bot`).

    Every segment is decoded and then re-escapes what `REESCAPED` names; the gate unquotes path parameters.
    """
    raw = scope.get("raw_path")
    if not raw or b"%" not in raw:
        return scope
    segments = raw.decode("latin-1").split("?", 1)[0].split("/")
    path = "/".join(unquote(s).translate(REESCAPED) for s in segments)
    root = scope.get("root_path", "")
    if root and not path.startswith(root):  # a server that leaves the root path out of `raw_path`
        path = root + path
    return {**scope, "path": path}


def route_path(scope: Scope) -> str:
    """The path below the app's `root_path` (Starlette's `get_route_path`): what the routes are matched on."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if not root or not path.startswith(root):
        return path
    rest = path[len(root):]
    return rest if not rest or rest.startswith("/") else path
