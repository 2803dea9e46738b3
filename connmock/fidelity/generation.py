"""Hypothesis strategies for request sequences, drawn from a vendor's spec (every operation it declares).

A sequence usually starts with a valid create (the create payload factory, one drawn credential type or
connector), then draws operations with one variation each: valid, without or with the wrong credentials,
the other tenant's key, query parameters unknown / repeated / empty / out of range, a body field dropped,
nulled, of the wrong type, empty, at and past its documented length, in unusual unicode, an unknown key,
another content type, malformed JSON, an oversized body; and the stateful pattern create -> update one field
-> read. Operations on "the object" address the sequence's latest create by reference; the others get an
unknown id. Seeded objects appear as role tokens (see `steps`), so each side uses its own.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from connmock.fidelity.steps import Step
from connmock.fidelity.substitution import substitute_whole
from connmock.fidelity.values import leaves, out_of_range, sample_value, schema_at, set_at, snake, wrong_type
from fixtures import load_seed
from fixtures.factories import PayloadFactory, create_operation
from speclib import Spec, load_spec
from speclib.loader import Operation
from speclib.profile import vendor_profile

__all__ = ["Model"]

Draw = Callable[[st.SearchStrategy[Any]], Any]
UNICODE = ("ünïcødé", "名前", "emoji 🚀🔥", "עברית", "a\u0301", "tab\tnew\nline", "\u200b", "nul\u0000byte")
CONTENT_TYPES = ("text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8",
                 "multipart/form-data; boundary=x", None)
MALFORMED = ("{", "[]", "null", "\"text\"", "{\"a\":}", "")
VARIATIONS = ("valid", "valid", "valid", "no-auth", "wrong-key", "other-tenant", "query", "query", "body",
              "body", "body", "content-type", "malformed", "large")


def role_fields(vendor: str) -> tuple[str, frozenset[str]]:
    """(role name, the request fields holding a seeded object's id) from the profile's `binds.role`."""
    binds = vendor_profile(vendor).binds
    role = binds.role if binds else None
    return (role.name, role.fields) if role else ("", frozenset())


def local_roles(vendor: str) -> dict[str, str]:
    """The local seed's ids -> role tokens (what the payload factory binds, made side-neutral)."""
    seed = load_seed()
    binds = vendor_profile(vendor).binds
    if binds is None or binds.seed is None or binds.role is None:
        return {}
    out: dict[str, str] = {}
    for variant, ident in binds.seed.pairs(seed.records(binds.seed.records), seed.tenants[0].id):
        out.setdefault(ident, "{{role:" + binds.role.name + ":" + variant + "}}")
    return out


@dataclass(slots=True)
class Handle:
    """How later steps address the object a create step made (path-parameter values, required query)."""

    index: int
    values: dict[str, str]


class Model:
    """One vendor's operations, and how to draw steps for them."""

    def __init__(self, vendor: str, roles: set[str], spec: Spec | None = None) -> None:
        self.vendor = vendor
        self.spec = spec or load_spec(vendor)
        self.roles = roles
        document = copy.deepcopy(self.spec.document)
        # ASCII without NUL: the drawn bodies stay within what a client sends; the unicode variation tests the rest.
        config = schemathesis.Config.from_dict({"generation": {"codec": "ascii", "allow-x00": False}})
        self.schemathesis = schemathesis.openapi.from_dict(document, config=config)
        self.create = self.spec.operation(create_operation(vendor))
        deletion = vendor_profile(vendor).delete
        self.delete = self.spec.operations.get(deletion) if deletion else None
        self.local = local_roles(vendor)
        factory = PayloadFactory(vendor, 0, self.spec)
        self.variants = [v for v in factory.variants() if any(r.endswith(":" + v) for r in roles)]
        self.operations = sorted(self.spec.operations.values(), key=lambda o: o.operation_id)
        self.session_ops = {o.operation_id for o in self.operations if self.uses_session(o)}
        self.session_maker = next((o for o in self.operations if o.method == "POST"
                                   and o.path.rstrip("/").endswith("/sessions")), None)

    # --- facts read from the spec -------------------------------------------------------------------------

    def uses_session(self, op: Operation) -> bool:
        names = [name for requirement in op.raw.get("security", []) for name in requirement]
        schemes = self.spec.document.get("components", {}).get("securitySchemes", {})
        return any(schemes.get(n, {}).get("in") == "query" for n in names)

    def session_param(self, op: Operation) -> str:
        schemes = self.spec.document.get("components", {}).get("securitySchemes", {})
        name = next(n for r in op.raw.get("security", []) for n in r)
        return str(schemes[name]["name"])

    def alias_of(self, op: Operation) -> str | None:
        """The canonical path of an SDK alias (`listConnectionsV1` at `/v1/connection` for `/connection`)."""
        found = re.match(r"^(.*)V(\d)$", op.operation_id)
        if not found or found.group(1) not in self.spec.operations:
            return None
        canonical = self.spec.operation(found.group(1))
        return canonical.path if op.path == f"/v{found.group(2)}{canonical.path}" else None

    def role_kind(self) -> str:
        return role_fields(self.vendor)[0]

    def role_token(self, draw: Draw) -> str:
        kind = self.role_kind()
        names = sorted(r for r in self.roles if r.startswith(kind + ":"))
        return "{{role:" + draw(st.sampled_from(names)) + "}}" if names else "unknown-role"

    # --- steps ---------------------------------------------------------------------------------------------

    def create_step(self, draw: Draw, index: int) -> tuple[Step, Handle]:
        variant = draw(st.sampled_from(self.variants)) if self.variants else None
        factory = PayloadFactory(self.vendor, draw(st.integers(0, 2**16)), self.spec)
        records = load_seed()
        call = factory.create(records.tenants[0], records, variant)
        body = substitute_whole(call.body, self.local)
        if "connection_id" in body:
            body["connection_id"] = "{{uniq}}-" + str(index)
        path = self.fill(self.create, call.path_params, {})
        step = Step(self.create.operation_id, f"valid ({variant})", self.create.method, path,
                    auth="primary", body=body, content_type="application/json", creates=True)
        values = {k: str(v) for k, v in body.items() if isinstance(v, str)}
        return step, Handle(index, values)

    def fill(self, op: Operation, path_values: dict[str, str], handle_values: dict[str, str],
             handle: Handle | None = None) -> str:
        path = op.path
        for param in op.parameters:
            if param["in"] != "path":
                continue
            name = param["name"]
            if name in path_values:
                value = path_values[name]
            elif handle is not None and snake(name) in handle_values and snake(name) != "connection_id":
                value = handle_values[snake(name)]
            elif handle is not None:
                field = "connection_id" if snake(name) == "connection_id" else "id"
                value = "{{ref:" + str(handle.index) + ":" + field + "}}"
            elif snake(name) in ("provider_config_key",):
                value = "{{role:integration:OAUTH2}}"
            else:
                value = "does-not-exist"
            path = path.replace("{" + name + "}", value)
        return path

    def required_query(self, op: Operation, handle: Handle | None, draw: Draw) -> list[tuple[str, str]]:
        out = []
        for param in op.parameters:
            if param["in"] != "query" or not param.get("required"):
                continue
            name = param["name"]
            if handle is not None and name in handle.values:
                out.append((name, handle.values[name]))
            elif name in role_fields(self.vendor)[1]:
                out.append((name, self.role_token(draw)))
            else:
                out.append((name, "x"))
        return out

    def positive(self, draw: Draw, op: Operation) -> tuple[dict[str, Any], Any]:
        """Query and body of a Schemathesis-drawn valid case (role fields bound to a seeded object)."""
        case = draw(self.schemathesis.find_operation_by_id(op.operation_id).as_strategy(GenerationMode.POSITIVE))
        body = case.body if isinstance(case.body, dict | list) else None
        query = {k: v for k, v in (case.query or {}).items() if isinstance(v, str | int | float | bool)}
        fields = role_fields(self.vendor)[1]
        if isinstance(body, dict):
            for name in set(body) & fields:
                bound = self.role_token(draw)
                body[name] = [bound] if isinstance(body[name], list) else bound
        return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in query.items()}, body

    def step(self, draw: Draw, op: Operation, index: int, handle: Handle | None,
             session: int | None) -> Step:
        """A step for `op` with a drawn variation."""
        on_object = handle is not None and any(p["in"] == "path" for p in op.parameters) and \
            draw(st.integers(0, 4)) > 0
        target = handle if on_object else None
        path = self.fill(op, {}, target.values if target else {}, target)
        query = self.required_query(op, target, draw)
        auth = "session" if op.operation_id in self.session_ops else "primary"
        if auth == "session" and session is not None:
            query.append((self.session_param(op), "{{ref:" + str(session) + ":data.token}}"))
        body: Any = None
        extra: dict[str, str] = {}
        if op.operation_id == self.create.operation_id:
            create, _ = self.create_step(draw, index)
            body = create.body
        elif op.body_schema() is not None or op.method in ("GET", "DELETE"):
            extra, drawn = self.positive(draw, op)
            body = drawn if op.body_schema() is not None else None
        names = {name for name, _ in query}
        query += [(k, v) for k, v in extra.items() if k not in names and k != self.session_param_or_none(op)]
        if target is not None and op.operation_id != self.create.operation_id:
            query = [(k, target.values.get(k, v)) for k, v in query]
        base = Step(op.operation_id, "valid", op.method, path, tuple(query), auth, body,
                    content_type="application/json" if body is not None or op.method == "DELETE" else None,
                    creates=op.operation_id == self.create.operation_id, alias_of=self.alias(op, path))
        variation = draw(st.sampled_from(VARIATIONS))
        return self.vary(draw, base, op, variation)

    def session_param_or_none(self, op: Operation) -> str | None:
        return self.session_param(op) if op.operation_id in self.session_ops else None

    def alias(self, op: Operation, path: str) -> str | None:
        canonical = self.alias_of(op)
        return None if canonical is None else path[len(op.path) - len(canonical):]

    def vary(self, draw: Draw, step: Step, op: Operation, variation: str) -> Step:
        if variation == "no-auth":
            return replace(step, variation="no credentials", auth="none",
                           query=tuple(q for q in step.query if q[0] != self.session_param_or_none(op)))
        if variation == "wrong-key":
            if step.auth == "session":
                name = self.session_param(op)
                query = tuple((k, "nango_connect_session_" + "0" * 64 if k == name else v) for k, v in step.query)
                return replace(step, variation="unknown session token", query=query)
            return replace(step, variation="unknown key", auth="wrong")
        if variation == "other-tenant" and step.auth != "session":
            return replace(step, variation="other tenant's key", auth="other")
        if variation == "query":
            return self.vary_query(draw, step, op)
        if variation == "body" and step.body is not None:
            return self.vary_body(draw, step, op)
        if variation == "content-type" and step.method != "GET":
            chosen = draw(st.sampled_from(CONTENT_TYPES))
            return replace(step, variation=f"content type {chosen}", content_type=chosen)
        if variation == "malformed" and op.body_schema() is not None:
            text = draw(st.sampled_from(MALFORMED))
            return replace(step, variation=f"malformed body {text!r}", body=None, body_text=text,
                           content_type="application/json")
        if variation == "large" and op.body_schema() is not None:
            size = draw(st.sampled_from((100_000, 1_100_000)))
            body = dict(step.body) if isinstance(step.body, dict) else {}
            body["zz_padding"] = "x" * size
            return replace(step, variation=f"body of {size} bytes", body=body)
        return step

    def vary_query(self, draw: Draw, step: Step, op: Operation) -> Step:
        declared = [p for p in op.parameters if p["in"] == "query" and p["name"] != self.session_param_or_none(op)]
        how = draw(st.sampled_from(("unknown", "repeat", "empty", "out-of-range", "unicode")))
        if how == "unknown" or not declared:
            return replace(step, variation="query: unknown parameter", query=(*step.query, ("zz_unknown", "1")))
        param = draw(st.sampled_from(declared))
        name, schema = param["name"], param.get("schema", {})
        current = dict(step.query)
        kept = tuple(q for q in step.query if q[0] != name)
        if how == "repeat":
            first = current.get(name) or sample_value(schema)
            return replace(step, variation=f"query: {name} repeated", query=(*kept, (name, first),
                                                                              (name, sample_value(schema, 1))))
        if how == "empty":
            return replace(step, variation=f"query: {name} empty", query=(*kept, (name, "")))
        if how == "unicode":
            return replace(step, variation=f"query: {name} unicode",
                           query=(*kept, (name, draw(st.sampled_from(UNICODE)))))
        value, label = draw(st.sampled_from(out_of_range(schema)))
        return replace(step, variation=f"query: {name} {label}", query=(*kept, (name, value)))

    def vary_body(self, draw: Draw, step: Step, op: Operation) -> Step:
        body = step.body
        paths = [p for p in leaves(body) if p[-1] != "connection_id" or len(p) > 1]
        if not paths:
            return replace(step, variation="body: unknown key", body={**body, "zz_unknown": 1})
        path = draw(st.sampled_from(paths))
        schema = schema_at(op.body_schema() or {}, body, path)
        current = body
        for name in path:
            current = current[name]
        where = ".".join(path)
        how = draw(st.sampled_from(("drop", "null", "wrong-type", "empty", "unicode", "unknown-key", "limit",
                                    "past-limit", "long")))
        if how == "drop":
            return replace(step, variation=f"body: {where} dropped", body=set_at(body, path, None, drop=True))
        if how == "null":
            return replace(step, variation=f"body: {where} null", body=set_at(body, path, None))
        if how == "wrong-type":
            return replace(step, variation=f"body: {where} wrong type", body=set_at(body, path, wrong_type(current)))
        if how == "empty":
            empty: Any = {} if isinstance(current, dict) else [] if isinstance(current, list) else ""
            return replace(step, variation=f"body: {where} empty", body=set_at(body, path, empty))
        if how == "unicode":
            text = draw(st.sampled_from(UNICODE))
            return replace(step, variation=f"body: {where} unicode", body=set_at(body, path, text))
        if how == "unknown-key":
            parent = path[:-1]
            node = body
            for name in parent:
                node = node[name]
            value = {**node, "zz_unknown": "1"} if isinstance(node, dict) else node
            new = set_at(body, parent, value) if parent else {**body, "zz_unknown": "1"}
            return replace(step, variation=f"body: unknown key beside {where}", body=new)
        if how in ("limit", "past-limit") and isinstance(current, str) and "maxLength" in schema:
            size = int(schema["maxLength"]) + (1 if how == "past-limit" else 0)
            return replace(step, variation=f"body: {where} {how} ({size} chars)",
                           body=set_at(body, path, ("a" * size)))
        if how in ("limit", "past-limit") and isinstance(current, int | float) and not isinstance(current, bool):
            bound = schema.get("maximum", schema.get("minimum"))
            if bound is not None:
                value = bound + (1 if how == "past-limit" and "maximum" in schema else
                                 -1 if how == "past-limit" else 0)
                return replace(step, variation=f"body: {where} {how} ({value})", body=set_at(body, path, value))
        size = draw(st.sampled_from((256, 4096, 70_000)))
        return replace(step, variation=f"body: {where} long ({size} chars)", body=set_at(body, path, "b" * size))

    # --- sequences -----------------------------------------------------------------------------------------

    def draw_sequence(self, draw: Draw, max_steps: int) -> list[Step]:
        steps: list[Step] = []
        handle: Handle | None = None
        session: int | None = None
        if draw(st.integers(0, 3)) > 0:
            step, handle = self.create_step(draw, 0)
            steps.append(step)
        count = draw(st.integers(1, max(1, max_steps - len(steps))))
        for _ in range(count):
            op = draw(st.sampled_from(self.operations))
            if op.operation_id in self.session_ops and session is None and self.session_maker is not None:
                session = len(steps)
                steps.append(self.session_step(draw))
            if handle is not None and self.is_update(op) and draw(st.booleans()):
                steps.extend(self.update_then_read(draw, op, handle, len(steps)))
                continue
            step = self.step(draw, op, len(steps), handle, session)
            if step.creates and step.variation == "valid":
                handle = Handle(len(steps), {k: str(v) for k, v in step.body.items() if isinstance(v, str)})
            steps.append(step)
        return steps[:max_steps + 2]

    def session_step(self, draw: Draw) -> Step:
        op = self.session_maker
        assert op is not None
        _, body = self.positive(draw, op)
        return Step(op.operation_id, "valid (for a session token)", op.method, op.path, (), "primary",
                    body if body is not None else {"tags": {"end_user_id": "u1"}}, content_type="application/json")

    def is_update(self, op: Operation) -> bool:
        return op.method in ("PATCH", "PUT") and any(p["in"] == "path" for p in op.parameters)

    def update_then_read(self, draw: Draw, op: Operation, handle: Handle, index: int) -> list[Step]:
        """create -> update one field -> read: what a PATCH of one field does to the others."""
        _, body = self.positive(draw, op)
        body = body if isinstance(body, dict) and body else {"tags": {"team": "blue"}}
        name = draw(st.sampled_from(sorted(body)))
        path = self.fill(op, {}, handle.values, handle)
        query = tuple(self.required_query(op, handle, draw))
        update = Step(op.operation_id, f"update one field ({name})", op.method, path, query, "primary",
                      {name: body[name]}, content_type="application/json")
        read_op = next((o for o in self.operations if o.method == "GET" and o.path == op.path), None)
        if read_op is None:
            return [update]
        read = Step(read_op.operation_id, f"read after updating {name}", "GET",
                    self.fill(read_op, {}, handle.values, handle), tuple(self.required_query(read_op, handle, draw)))
        return [update, read]
