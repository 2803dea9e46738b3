"""xpander.ai: connect a catalog connector (API key or OAuth2), list/search connectors, list operations."""

from mock_server.vendors.xpander.adapter import XpanderAdapter

__all__ = ["XpanderAdapter"]
