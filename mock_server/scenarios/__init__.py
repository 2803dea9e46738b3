"""Scenarios: behaviours armed through `/__connmock/scenarios` (or one request's `Prefer`) that the next matching
requests consume: a documented error, a delay, a dropped connection, an expired or revoked connection, a consent
decision for the next hosted flow. See `docs/scenarios.md`.

    model.py        the Scenario and what each kind takes
    arming.py       an arming request checked against the specs (the admin API's 400s)
    registry.py     the armed scenarios, consumed oldest first
    endpoints.py    the admin endpoints
    preferences.py  `Prefer: delay=MS` and `Prefer: drop`
    staging.py      what the gate applies to a request
    states.py       expired / revoked per vendor
    consent.py      the hosted pages deciding themselves
    dropping.py     the app's edge that closes a dropped connection
    document.py     the admin API's OpenAPI document
"""
