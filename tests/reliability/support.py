"""What the reliability tests share: demo credentials, create calls per vendor, and the error-shape check."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import openapi
from contracts.target import auth_headers as target_auth_headers
from fixtures import SeedData, Tenant, load_seed
from fixtures.factories import CreateRequest, PayloadFactory, create_requests
from speclib import SchemaValidator, load_spec
from speclib.loader import Operation
from tests.support.server import free_port

VENDORS = openapi.VENDORS  # the bundled vendors, for the tests that import them from here
SEED: SeedData = load_seed()
LONG = os.environ.get("CONNMOCK_FUZZ") == "long"  # `tox -e fuzz`: the full-size runs


def auth_headers(vendor: str, tenant: Tenant, user: int = 0) -> dict[str, str]:
    """The tenant's `user`-th key of `vendor` where keys belong to users (its only key otherwise), as its spec
    sends it."""
    keys = tenant.keys(vendor)
    return target_auth_headers(vendor, keys[user] if len(keys) > 1 else keys[0])


def create_path(request: CreateRequest) -> str:
    """Where a create call goes, under the vendor's mount."""
    operation = load_spec(request.vendor).operation(request.operation_id)
    path = operation.path
    for name, value in request.path_params.items():
        path = path.replace("{" + name + "}", value)
    return f"/{request.vendor}{path}"


def valid_creates(vendor: str, tenant: Tenant, count: int, seed: int = 0) -> list[CreateRequest]:
    """`count` valid create calls for a tenant, cycling through the vendor's variants."""
    return create_requests(vendor, count, seed=seed, tenant_id=tenant.id)


def factory(vendor: str, seed: int = 0) -> PayloadFactory:
    return PayloadFactory(vendor, seed)


@dataclass(frozen=True, slots=True)
class ShapeVerdict:
    ok: bool
    documented: bool  # the status is in the aimed operation's responses
    reason: str = ""


class ErrorShapes:
    """Checks an error body against the vendor spec's error schema for that operation and status.

    The schema is the aimed operation's response for the status. A request that the router sends elsewhere
    (a sibling operation) may match that operation's schema instead. A status the operation does not
    document (413, 415, 405) must still be the vendor's envelope: its 400 schema (or any 4xx one).
    """

    def __init__(self, vendor: str) -> None:
        self.spec = load_spec(vendor)
        self._validators: dict[int, SchemaValidator] = {}

    def validator(self, schema: dict[str, Any]) -> SchemaValidator:
        return self._validators.setdefault(id(schema), SchemaValidator(schema))

    def schemas(self, operation: Operation | None, status: int) -> tuple[list[dict[str, Any]], bool]:
        documented = operation is not None and str(status) in operation.responses
        found: list[dict[str, Any]] = []
        if operation is not None and documented:
            found.append(operation.response_schema(status) or {})
        for other in self.spec.operations.values():  # a sibling operation the router may have chosen
            if str(status) in other.responses and other.response_schema(status):
                found.append(other.response_schema(status) or {})
        if not found:  # a status documented nowhere: the vendor's envelope, as its 400 (or any 4xx) describes it
            for op in ([operation] if operation else []) + list(self.spec.operations.values()):
                for code in ("400", *sorted(c for c in op.responses if c.startswith("4"))):
                    schema = op.response_schema(code) if code in op.responses else None
                    if schema:
                        found.append(schema)
        return [s for s in found if s], documented

    def check(self, operation_id: str | None, response: httpx.Response) -> ShapeVerdict:
        operation = self.spec.operations.get(operation_id or "")
        if response.request.method == "HEAD":
            return ShapeVerdict(True, True)
        if "json" not in response.headers.get("content-type", ""):
            return ShapeVerdict(False, False, f"content-type {response.headers.get('content-type')!r}")
        try:
            body = response.json()
        except ValueError:
            return ShapeVerdict(False, False, "body is not JSON")
        schemas, documented = self.schemas(operation, response.status_code)
        if not schemas:
            return ShapeVerdict(False, documented, "no error schema in the spec")
        for schema in schemas:
            if not self.validator(schema).errors(body):
                return ShapeVerdict(True, documented)
        first = self.validator(schemas[0]).errors(body)
        return ShapeVerdict(False, documented, "; ".join(f"{'/'.join(map(str, e.path))}: {e.kind}" for e in first))


@dataclass(slots=True)
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path  # the server's stderr (its log lines): a file, so a chatty server never blocks on a full pipe

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    """Until `/__connmock/health` answers. Generous: two spawned workers each import and build the app, which took
    20-35 s on a loaded 2-core machine; a server that is up returns at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"connmock serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/__connmock/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("connmock serve did not come up")


def start_serve(*args: str, port: int | None = None) -> Served:
    """`connmock serve` as a child process on a free loopback port (stderr to a temporary file)."""
    port = port or free_port()
    handle, name = tempfile.mkstemp(prefix="connmock-serve-", suffix=".log")
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "connmock.cli", "serve", "--port", str(port), *args],
                                   stdout=subprocess.DEVNULL, stderr=log)
    served = Served(f"http://127.0.0.1:{port}", process, Path(name))
    try:
        wait_healthy(served.base, process)
    except RuntimeError as error:
        stop_serve(served)
        output = served.output()
        served.log.unlink(missing_ok=True)
        raise RuntimeError(f"{error}; its log: {output}") from None
    return served


def stop_serve(served: Served, timeout: float = 10) -> int:
    if served.process.poll() is None:
        served.process.terminate()
    return served.process.wait(timeout=timeout)


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    served = start_serve(*args)
    try:
        yield served
    finally:
        stop_serve(served)
        served.log.unlink(missing_ok=True)
