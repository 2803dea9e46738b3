"""Contract failures: what rule was broken, by which operation, where.

    AssertionError
    └── ContractFailure                 rule, operation, place, detail
        ├── SecretLeak                  secret-leak: a canary came back where its rule does not allow it
        ├── WriteOnlyReturned           write-only: a `writeOnly` property in a response
        ├── ResponseSchemaViolation     response-schema: a required field missing or of the wrong type
        ├── RequiredFieldNotRejected    required-field: a request without a required field got another status
        ├── ErrorShapeMismatch          error-shape: an error body off the vendor's schema, or not naming the field
        ├── ValidRequestRejected        valid-request: a valid create was not accepted
        ├── LifecycleViolation          stateful: create/get/list/delete semantics
        ├── PaginationViolation         pagination: pages that disagree (sizes, totals, "has next page")
        ├── TenantIsolationViolation    cross-tenant: another tenant could see, get or delete an object
        ├── AuthViolation               auth: missing or wrong credentials not answered as documented
        ├── TargetUnavailable           target-down: a request got no answer (connection dropped, refused, timed out)
        └── BuiltinCheckFailed          schemathesis.<check>: a (tightened) built-in Schemathesis check
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthViolation",
    "BuiltinCheckFailed",
    "ContractFailure",
    "ErrorShapeMismatch",
    "LifecycleViolation",
    "PaginationViolation",
    "RequiredFieldNotRejected",
    "ResponseSchemaViolation",
    "SecretLeak",
    "TargetUnavailable",
    "TenantIsolationViolation",
    "ValidRequestRejected",
    "WriteOnlyReturned",
]


class ContractFailure(AssertionError):
    """A broken contract rule; `str()` is the one-line message reports print (redacted before output)."""

    default_rule: ClassVar[str] = "contract"

    def __init__(self, operation: str, place: str, detail: str, rule: str | None = None) -> None:
        self.rule = rule or self.default_rule
        self.operation = operation
        self.place = place
        self.detail = detail
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" at {self.place}" if self.place else ""
        return f"[{self.rule}] {self.operation}{where}: {self.detail}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity for de-duplication across generated examples."""
        return self.rule, self.operation, self.place, self.detail


class SecretLeak(ContractFailure):
    default_rule = "secret-leak"


class WriteOnlyReturned(ContractFailure):
    default_rule = "write-only"


class ResponseSchemaViolation(ContractFailure):
    default_rule = "response-schema"


class RequiredFieldNotRejected(ContractFailure):
    default_rule = "required-field"


class ErrorShapeMismatch(ContractFailure):
    default_rule = "error-shape"


class ValidRequestRejected(ContractFailure):
    default_rule = "valid-request"


class LifecycleViolation(ContractFailure):
    default_rule = "stateful"


class PaginationViolation(ContractFailure):
    default_rule = "pagination"


class TenantIsolationViolation(ContractFailure):
    default_rule = "cross-tenant"


class AuthViolation(ContractFailure):
    default_rule = "auth"


class BuiltinCheckFailed(ContractFailure):
    default_rule = "schemathesis"


class TargetUnavailable(ContractFailure):
    default_rule = "target-down"
