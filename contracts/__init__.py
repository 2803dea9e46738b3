"""The contract suite: HTTP only, runnable against any URL (see contracts/runner.py and `connmock check`)."""

__all__: list[str] = []  # the modules are the API: `from contracts.runner import run_vendor`
