"""The armed scenarios as data: what one scenario is (`model.py`) and the mock's list of them (`registry.py`).

Below `mock_server.world`, which holds the registry; what a scenario *does* to a request or a page lives above
the vendors, in `mock_server.scenarios` and `mock_server.pages.consent`. See docs/scenarios.md.
"""

from mock_server.armed.model import Scenario
from mock_server.armed.registry import Scenarios, TooManyArmed

__all__ = ["Scenario", "Scenarios", "TooManyArmed"]
