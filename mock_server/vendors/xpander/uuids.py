"""Why a string is not a UUID, in the words pydantic v2 uses (it reports what the Rust `uuid` crate finds).

Exact for plain strings (what clients send); for `{…}` and `urn:uuid:…` forms the crate has more quirks
than are copied here, so those messages are close but not always identical.
"""

from __future__ import annotations

__all__ = ["uuid_problem"]

GROUP_STARTS = (0, 9, 14, 19, 24)
GROUP_LENGTHS = (8, 4, 4, 4, 12)
URN = "urn:uuid:"
HEX = frozenset("0123456789abcdefABCDEF")


def uuid_problem(value: str) -> str:
    """E.g. "invalid character: found `n` at 0", "invalid length: found 3"; for a string that is no UUID."""
    text, offset, simple = value, 0, True
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        text, offset, simple = value[1:-1], 1, False
    elif value.startswith(URN):
        text, offset, simple = value[len(URN):], len(URN), False
    hyphens: list[int] = []
    for index, char in enumerate(text):
        if char == "-":
            hyphens.append(index)
        elif char not in HEX:
            return f"invalid character: found `{char}` at {index + offset}"
    if not hyphens and simple:
        return f"invalid length: found {len(value)}"
    if len(hyphens) != 4:
        return f"invalid group count: expected 5, found {len(hyphens) + 1}"
    for group, bound in enumerate(hyphens):
        if bound != GROUP_STARTS[group + 1] - 1:
            return (f"invalid group length in group {group}: expected {GROUP_LENGTHS[group]}, "
                    f"found {bound - GROUP_STARTS[group]}")
    return f"invalid group length in group 4: expected 12, found {len(value) - GROUP_STARTS[4]}"
