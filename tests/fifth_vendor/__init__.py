"""Relay, a fictional fifth vendor: its spec and profile, seed and mock adapter live in this folder only."""

from pathlib import Path

from openapi import VendorEntry

HERE = Path(__file__).parent
RELAY = VendorEntry("relay", HERE / "relay.yaml", "tests.fifth_vendor.adapter:RelayAdapter", HERE / "seed.yaml")

__all__ = ["RELAY"]
