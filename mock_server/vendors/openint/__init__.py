"""OpenInt: import connections into connector configs, read/list/delete them, customer Connect tokens."""

from mock_server.vendors.openint.adapter import OpenIntAdapter

__all__ = ["OpenIntAdapter"]
