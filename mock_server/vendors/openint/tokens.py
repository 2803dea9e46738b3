"""Customer Connect tokens: HS256 JWTs, as OpenInt's `createToken` hands out, verified without any state.

Each organization signs with a key derived from its API key (HMAC, one way: the token never reveals the
key), so every worker of a mock started from the same seed accepts the same tokens. Verification failures
carry the wording of the `jose` errors OpenInt's server wraps in its 401 ("TRPCError: JWSInvalid: …").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

from fixtures import Tenant
from mock_server.errors import Unauthorized

__all__ = ["CustomerClaims", "CustomerTokens"]

HEADER = {"alg": "HS256", "typ": "JWT"}
KEY_LABEL = b"connmock/openint/customer-token"
MAX_EXP = 253402300799  # 9999-12-31T23:59:59Z: keeps `exp` a sane integer whatever validity is asked for


@dataclass(frozen=True, slots=True)
class CustomerClaims:
    tenant: Tenant
    customer_id: str
    exp: int
    connect_options: dict[str, Any]


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jose_error(kind: str, message: str) -> Unauthorized:
    return Unauthorized(f"TRPCError: {kind}: {message}")


class CustomerTokens:
    def __init__(self, tenants: tuple[Tenant, ...]) -> None:
        self.by_org = {tenant.openint_org_id: tenant for tenant in tenants}

    @staticmethod
    def key(tenant: Tenant) -> bytes:
        return hmac.new(tenant.openint_api_key.encode(), KEY_LABEL, hashlib.sha256).digest()

    def sign(self, tenant: Tenant, customer_id: str, now: int, validity: float,
             connect_options: dict[str, Any]) -> str:
        exp = int(min(max(now + validity, 0), MAX_EXP))
        payload = {"role": "customer", "org_id": tenant.openint_org_id, "customer_id": customer_id,
                   "connect_options": connect_options, "iat": now, "exp": exp}
        signing_input = f"{b64encode(orjson.dumps(HEADER))}.{b64encode(orjson.dumps(payload))}"
        signature = hmac.new(self.key(tenant), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64encode(signature)}"

    def verify(self, token: str, now: int) -> CustomerClaims:
        """The claims of a token this mock signed; Unauthorized (jose's wording) for anything else."""
        parts = token.split(".")
        if len(parts) != 3:
            raise jose_error("JWSInvalid", "Invalid Compact JWS")
        header = self.decode_json(parts[0])
        if not isinstance(header, dict):
            raise jose_error("JWSInvalid", "JWS Protected Header is invalid")
        if header.get("alg") != "HS256":
            raise jose_error("JOSEAlgNotAllowed", '"alg" (Algorithm) Header Parameter value not allowed')
        payload = self.decode_json(parts[1])
        tenant = self.by_org.get(str(payload.get("org_id"))) if isinstance(payload, dict) else None
        if tenant is None or not self.signed_by(tenant, parts):
            raise jose_error("JWSSignatureVerificationFailed", "signature verification failed")
        assert isinstance(payload, dict)
        if not isinstance(payload.get("exp"), int) or payload["exp"] <= now:
            raise jose_error("JWTExpired", '"exp" claim timestamp check failed')
        return CustomerClaims(tenant, str(payload.get("customer_id", "")), payload["exp"],
                              payload.get("connect_options") or {})

    def signed_by(self, tenant: Tenant, parts: list[str]) -> bool:
        expected = hmac.new(self.key(tenant), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        try:
            given = b64decode(parts[2])
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(expected, given)

    @staticmethod
    def decode_json(part: str) -> Any:
        try:
            return orjson.loads(b64decode(part))
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            return None
