"""Nango: import (upsert) connections into an environment's integrations, read/list/update/delete them,
and open Connect UI sessions."""

from mock_server.vendors.nango.adapter import NangoAdapter

__all__ = ["NangoAdapter"]
