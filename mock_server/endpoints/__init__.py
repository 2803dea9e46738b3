"""The admin API's endpoints that change the mock's behaviour: `/__connmock/scenarios…` (`scenarios.py`) and
`/__connmock/webhooks…` (`webhooks.py`), routed from `mock_server/admin.py`.

They sit above the gate, the vendors and the hosted pages (they read request bodies and look up connections), so
the packages holding what they manage (`mock_server.armed`, `mock_server.webhooks`) stay below the world.
"""

from mock_server.endpoints.scenarios import ScenarioEndpoints, is_scenarios_path
from mock_server.endpoints.webhooks import WebhookAdmin

__all__ = ["ScenarioEndpoints", "WebhookAdmin", "is_scenarios_path"]
