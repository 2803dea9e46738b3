"""Vercel Connect: create, list, read and delete connectors; authorization/installation requests, tokens."""

from mock_server.vendors.vercel.adapter import VercelAdapter

__all__ = ["VercelAdapter"]
