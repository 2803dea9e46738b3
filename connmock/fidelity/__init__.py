"""Fidelity: recorded vendor exchanges as data, their replay against any URL, and live diffs of two servers.

HTTP only (httpx): it never imports the mock, so it runs against the real vendor, a mock or anything between.
"""

__all__: list[str] = []  # the modules are the API: `from connmock.fidelity import recordings`
