"""Real-socket servers for the tests: the product's own helper, so tests and `connmock check` share it."""

from mock_server.serving import free_port, running

__all__ = ["free_port", "running"]
