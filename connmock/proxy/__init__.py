"""The validation proxy: between a client and any implementation, checking every exchange against the spec.

It imports `speclib` and the suite's secret search (`contracts`), never `mock_server`: it fronts
any implementation.
"""

from connmock.proxy.app import ProxyApp, ProxySettings
from connmock.proxy.command import proxy_command, register
from connmock.proxy.violations import Entry, ViolationLog

__all__ = ["Entry", "ProxyApp", "ProxySettings", "ViolationLog", "proxy_command", "register"]
