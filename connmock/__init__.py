"""connmock: OpenAPI-first mock server and contract suite for four vendors' connection APIs."""

__all__ = ["__version__"]

__version__ = "0.1.0"
