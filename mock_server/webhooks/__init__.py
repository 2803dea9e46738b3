"""The vendors' connection webhooks: Nango's `auth` webhook, signed as Nango signs it, queued and retried.

See docs/webhooks.md; the facts and their sources are in openapi/README.md ("Webhooks").
"""

from mock_server.webhooks.delivery import Deliveries, Webhook
from mock_server.webhooks.hub import Webhooks
from mock_server.webhooks.targets import WEBHOOK_VENDORS, Target, TargetError

__all__ = ["WEBHOOK_VENDORS", "Deliveries", "Target", "TargetError", "Webhook", "Webhooks"]
