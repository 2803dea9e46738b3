"""The vendor contracts (OpenAPI 3.0.3), shipped as package data."""

from pathlib import Path

SPEC_DIR = Path(__file__).parent
VENDORS = ("xpander", "openint", "vercel", "nango")

__all__ = ["SPEC_DIR", "VENDORS"]
