"""The spec layer: reading the vendor specs (loading, `$ref` inlining, validation, secret rules, merge, lint, profiles).

This layer is pure: it imports no web framework and nothing from `mock_server` or `contracts`.
"""

from speclib.loader import VENDORS, Spec, load_merged, load_spec, spec_path
from speclib.secrets import ReturnPlace, SecretRule, secret_rules
from speclib.validation import FieldError, SchemaValidator

__all__ = [
    "VENDORS",
    "FieldError",
    "ReturnPlace",
    "SchemaValidator",
    "SecretRule",
    "Spec",
    "load_merged",
    "load_spec",
    "secret_rules",
    "spec_path",
]
