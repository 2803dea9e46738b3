"""Reading the vendor specs: loading, `$ref` inlining, validation, secret rules, merge and lint.

This layer is pure: it imports no web framework and nothing from `mock_server` or `contracts`.
"""

from connmock.spec.loader import VENDORS, Spec, load_merged, load_spec, spec_path
from connmock.spec.secrets import ReturnPlace, SecretRule, secret_rules
from connmock.spec.validation import FieldError, SchemaValidator

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
