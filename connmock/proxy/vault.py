"""Secrets seen in requests, remembered only as keyed hashes, and the search for them in later responses.

Nothing here holds a secret in clear after `remember` returns. For every value the spec's rules mark (and
every credential header), the vault derives the texts a leak could take — the value raw, URL-, form- and
JSON-escaped, and the stable middle of its base64 at each alignment (`contracts.canaries.value_forms`) —
and indexes, for each of them:

- its 12-character *windows*, taken from the token-like runs of the text (letters, digits, `+/=_%.~-`,
  at least 16 long) and only where a window has 6 or more distinct characters, so a truncated or partly
  masked echo is found while a shared prefix such as `https://exam` or `-----BEGIN` is not;
- for a structured value (one with spaces or line breaks, such as a PEM key), its whole token runs of
  16 to 128 characters instead of windows: two PEM keys share 20-character stretches (the algorithm's
  DER header, the base64 of `-----BEGIN `), so only a whole line counts as an echo;
- the whole text, when it is 8 to 64 characters and yields nothing else (short values).

Each indexed text is stored as HMAC-SHA256 under a random per-process key. A search slides a window over
a response text and looks it up in two stages: Python's randomised string hash (SipHash, an int kept in a
set) rules out almost every window at ~0.1 µs, and only a candidate is confirmed by its HMAC. Values
shorter than 8 characters are not remembered (counted in `skipped`): too common to tell a leak apart.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from contracts.canaries import value_forms
from speclib import SecretRule

__all__ = ["Hit", "Remembered", "SecretVault"]

WINDOW = 12
TOKEN = "A-Za-z0-9+/=_%.~-"
RUN = re.compile(f"[{TOKEN}]{{16,}}")
TOKEN_CHAR = re.compile(f"[{TOKEN}]")
MIN_DISTINCT = 6
MIN_VALUE = 8
MAX_WHOLE = 64
MAX_RUN = 128
MASK = "[redacted]"


@dataclass(frozen=True, slots=True)
class Remembered:
    """One remembered secret: where it was sent (never the value), who sent it (a digest), and its rule."""

    operation: str
    field: str
    rule: SecretRule
    owner: bytes

    @property
    def kind(self) -> str:
        return "write-only" if self.rule.write_only else "secret"


@dataclass(frozen=True, slots=True)
class Hit:
    secret: Remembered
    form: str
    start: int
    end: int


def windows(text: str) -> Iterator[str]:
    for run in RUN.finditer(text):
        chunk = run.group()
        for i in range(len(chunk) - WINDOW + 1):
            window = chunk[i:i + WINDOW]
            if len(set(window)) >= MIN_DISTINCT:
                yield window


def lines(text: str) -> Iterator[str]:
    """The whole token runs of a structured value (a PEM's lines): its shared headers never match alone."""
    for run in RUN.finditer(text):
        if len(run.group()) <= MAX_RUN:
            yield run.group()


@dataclass(slots=True)
class SecretVault:
    """The hashed index of every secret seen, and the search and masking over any output text."""

    max_secrets: int = 100_000
    skipped: int = 0
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _quick: dict[int, set[int]] = field(default_factory=dict, repr=False)  # length -> hash() of texts
    _index: dict[bytes, list[tuple[Remembered, str]]] = field(default_factory=dict, repr=False)
    _seen: dict[bytes, list[Remembered]] = field(default_factory=dict, repr=False)

    def digest(self, text: str) -> bytes:
        return hmac.digest(self._key, text.encode("utf-8", "surrogatepass"), "sha256")

    def owner(self, credentials: list[str]) -> bytes:
        """Who sent a request, as a digest of its credential header values (never the values)."""
        return self.digest("owner\0" + "\0".join(credentials))[:16]

    def __len__(self) -> int:
        return len(self._seen)

    def remember(self, value: str, secret: Remembered) -> bool:
        if len(value) < MIN_VALUE:
            self.skipped += 1
            return False
        whole = self.digest(value)
        known = self._seen.setdefault(whole, [])
        if secret in known or len(self._seen) > self.max_secrets:
            return False
        known.append(secret)
        token = RUN.fullmatch(value) is not None
        for form, text in value_forms(value):
            parts = list(dict.fromkeys(windows(text) if token else lines(text)))
            if not parts and MIN_VALUE <= len(text) <= MAX_WHOLE:
                parts = [text]
            for part in parts:
                self._quick.setdefault(len(part), set()).add(hash(part))
                self._index.setdefault(self.digest(part), []).append((secret, form))
        return True

    def search(self, text: str) -> Iterator[Hit]:
        """Every (secret, form) found in `text` with its span; one hit per secret and form."""
        reported: set[tuple[Remembered, str]] = set()
        for length, quick in self._quick.items():
            for start in range(len(text) - length + 1):
                part = text[start:start + length]
                if hash(part) not in quick:
                    continue
                for secret, form in self._index.get(self.digest(part), ()):
                    if (secret, form) not in reported:
                        reported.add((secret, form))
                        yield Hit(secret, form, start, start + length)

    def mask(self, text: str) -> str:
        """`text` with every stretch that matches a remembered secret (widened to its token run) masked."""
        spans = sorted({(hit.start, hit.end) for hit in self.spans(text)})
        if not spans:
            return text
        out, cursor = [], 0
        for start, end in spans:
            while start > 0 and TOKEN_CHAR.match(text, start - 1):
                start -= 1
            while end < len(text) and TOKEN_CHAR.match(text, end):
                end += 1
            if start < cursor:
                start = cursor
            if end <= cursor:
                continue
            out += [text[cursor:start], MASK]
            cursor = end
        out.append(text[cursor:])
        return "".join(out)

    def spans(self, text: str) -> Iterator[Hit]:
        for length, quick in self._quick.items():
            for start in range(len(text) - length + 1):
                part = text[start:start + length]
                if hash(part) in quick and self.digest(part) in self._index:
                    yield Hit(self._index[self.digest(part)][0][0], "", start, start + length)
