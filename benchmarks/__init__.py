"""Opt-in performance measurements of connmock (`python -m benchmarks`); never part of the test run."""
