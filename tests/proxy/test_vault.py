"""The hashed secret index: finds a value in every encoding and by fragment, and keeps no value in clear."""

from __future__ import annotations

import base64
import json
import pickle
from urllib.parse import quote

from connmock.proxy.vault import Remembered, SecretVault
from speclib import SecretRule

VALUE = "ghp_" + "Zx81kQ2mN7pL0vR4tY6wB3cD5eF9hJ1a"
RULE = SecretRule("createConnection", ("credentials", "apiKey"), ())


def vault_with(value: str = VALUE) -> SecretVault:
    vault = SecretVault()
    vault.remember(value, Remembered("createConnection", "credentials.apiKey", RULE, b"owner"))
    return vault


def forms_found(vault: SecretVault, text: str) -> set[str]:
    return {hit.form for hit in vault.search(text)}


def test_every_encoding_and_fragment_is_found() -> None:
    vault = vault_with()
    assert forms_found(vault, f"token={VALUE}") == {"raw", "url-encoded", "form-encoded", "json-escaped"}
    assert forms_found(vault, quote("x" + VALUE + "/", safe=""))
    assert forms_found(vault, "Basic " + base64.b64encode(f"user:{VALUE}".encode()).decode())
    assert forms_found(vault, json.dumps({"masked": VALUE[:16] + "****"}))  # a truncated echo
    assert not forms_found(vault, "ghp_ and nothing else, https://example.com/ghp_")


def test_nothing_is_kept_in_clear() -> None:
    vault = vault_with()
    dumped = pickle.dumps((vault._index, vault._seen, vault._quick))
    assert VALUE.encode() not in dumped
    assert not any(VALUE[i:i + 8].encode() in dumped for i in range(len(VALUE) - 8))


def test_shared_prefixes_and_short_values_are_not_secrets() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
    vault = vault_with(pem)
    assert not forms_found(vault, "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n")
    assert forms_found(vault, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7")
    assert not list(vault_with("short").search("short"))
    assert vault_with("short").skipped == 1


def test_mask_replaces_the_whole_token() -> None:
    vault = vault_with()
    assert vault.mask(f"got {VALUE[2:30]}!, ok") == "got [redacted]!, ok"
    assert vault.mask("nothing here") == "nothing here"
