"""Scenarios: behaviours armed through `/__connmock/scenarios` (or one request's `Prefer`) that the next matching
requests consume: a documented error, a delay, a dropped connection, an expired or revoked connection, a consent
decision for the next hosted flow. See `docs/scenarios.md`.

Elsewhere, so that imports point down only: the Scenario and the registry the world holds (`mock_server/armed/`),
the admin endpoints (`mock_server/endpoints/scenarios.py`), the hosted pages deciding themselves
(`mock_server/pages/consent.py`).

    arming.py       an arming request checked against the specs (the admin API's 400s)
    preferences.py  `Prefer: delay=MS` and `Prefer: drop`
    staging.py      what the gate applies to a request
    states.py       expired / revoked per vendor
    dropping.py     the app's edge that closes a dropped connection
    document.py     the admin API's OpenAPI document
"""

__all__: list[str] = []  # the modules are the API (see above)
