"""The stateful mock server: all four vendors from their specs, on one Connexion 3 app."""

from mock_server.app import create_app
from mock_server.settings import Settings

__all__ = ["Settings", "create_app"]
