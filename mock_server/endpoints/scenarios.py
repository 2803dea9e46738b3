"""`/__connmock/scenarios`: list (GET), arm (POST), clear (DELETE) the armed scenarios; `/__connmock/scenarios/{id}`:
read (GET) or disarm (DELETE) one. Every refusal is a 4xx JSON `{"error", "field"}`; nothing here answers 500.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Receive

from mock_server.armed.registry import TooManyArmed
from mock_server.errors import PayloadTooLarge
from mock_server.parsing import read_body
from mock_server.scenarios.arming import ArmingError, arming
from mock_server.vendors.base import Reply
from mock_server.world import World

__all__ = ["ROUTES", "ScenarioEndpoints", "is_scenarios_path"]

BASE = "scenarios"
MAX_BODY = 64 * 1024
# (method, path under /__connmock/) the endpoints serve; `{id}` stands for a scenario's id
ROUTES = (("GET", "scenarios"), ("POST", "scenarios"), ("DELETE", "scenarios"),
          ("GET", "scenarios/{id}"), ("DELETE", "scenarios/{id}"))


def refusal(status: int, message: str, field: str | None = None) -> Reply:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    return Reply(status, body)


def not_allowed(name: str, allowed: tuple[str, ...]) -> Reply:
    reply = refusal(405, f"/__connmock/{name} answers {', '.join(allowed)}")
    reply.headers["allow"] = ", ".join(allowed)
    return reply


async def read_json(receive: Receive) -> Any:
    """The request's JSON body; raises `ArmingError` for one that is too large or not JSON."""
    try:
        raw = await read_body(receive, MAX_BODY)
    except PayloadTooLarge as exc:
        raise ArmingError(f"the body is larger than {MAX_BODY} bytes") from exc
    try:
        return orjson.loads(raw or b"null")
    except orjson.JSONDecodeError as exc:
        raise ArmingError("the body is not JSON") from exc


def is_scenarios_path(name: str) -> bool:
    return name == BASE or name.startswith(BASE + "/")


class ScenarioEndpoints:
    def __init__(self, world: World) -> None:
        self.world = world

    async def handle(self, name: str, method: str, receive: Receive) -> Reply:
        if name == BASE:
            return await self.collection(method, receive)
        scenario_id = name[len(BASE) + 1:]
        if method == "GET":
            found = [s for s in self.world.scenarios.listing() if s.id == scenario_id]
            return Reply(200, found[0].as_dict()) if found else self.missing(scenario_id)
        if method == "DELETE":
            removed = self.world.scenarios.remove(scenario_id)
            return Reply(200, {"removed": scenario_id}) if removed else self.missing(scenario_id)
        return not_allowed(name, ("GET", "DELETE"))

    async def collection(self, method: str, receive: Receive) -> Reply:
        scenarios = self.world.scenarios
        if method == "GET":
            return Reply(200, {"scenarios": [s.as_dict() for s in scenarios.listing()]})
        if method == "DELETE":
            return Reply(200, {"cleared": scenarios.clear()})
        if method != "POST":
            return not_allowed(BASE, ("GET", "POST", "DELETE"))
        try:
            scenario = arming(self.world, await read_json(receive), scenarios.new_id())
            return Reply(201, scenarios.arm(scenario).as_dict())
        except ArmingError as error:
            return refusal(400, str(error), error.field)
        except TooManyArmed as error:
            return refusal(409, str(error))

    def missing(self, scenario_id: str) -> Reply:
        shown = scenario_id if len(scenario_id) <= 40 and scenario_id.isascii() else "(that id)"
        return refusal(404, f"no armed scenario {shown}; it may have been used up")
