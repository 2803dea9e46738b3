"""JavaScript's conversions (ECMAScript `ToNumber`, `ToString`, `ToBoolean`) for the vendors whose servers coerce
their inputs with them: a zod `z.coerce.number()` reads `"0x10"` as 16, `[7]` as 7, `true` as 1 and `"12abc"`
as NaN, and the mock must read them the same way to answer what the server answers."""

from __future__ import annotations

import math
import re
from typing import Any

from speclib.validation import NOT_A_NUMBER, NotANumber

__all__ = ["number_input", "parse_int", "to_boolean"]

# StrWhiteSpaceChar: WhiteSpace and LineTerminator (ECMA-262 §7.2, §7.3), what `Number(" 12\n")` trims.
JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                "\u2028\u2029\u202f\u205f\u3000\ufeff"
DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
RADIX = {"0x": (re.compile(r"[0-9a-fA-F]+"), 16), "0o": (re.compile(r"[0-7]+"), 8), "0b": (re.compile(r"[01]+"), 2)}
INFINITY = re.compile(r"[+-]?Infinity")
MAX_SAFE_INTEGER = 2**53 - 1


def to_string(value: Any) -> str:
    """`String(value)` for JSON values: arrays join their items with commas (null and undefined as empty)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join("" if item is None else to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def string_to_number(text: str) -> float:
    """ECMAScript StringToNumber: decimal literals, `Infinity`, and unsigned 0x/0o/0b literals; else NaN."""
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0.0
    if INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    prefix = text[:2].lower()
    if prefix in RADIX:
        digits, base = RADIX[prefix]
        return float(int(text[2:], base)) if digits.fullmatch(text[2:]) else math.nan
    return float(text) if DECIMAL.fullmatch(text) else math.nan


def to_number(value: Any) -> int | float:
    """`Number(value)` for JSON values, an int when the result is a whole finite number (so it serializes as
    JavaScript would print it: `Number("1e1")` is `10`, not `10.0`)."""
    if value is None:
        number = 0.0
    elif isinstance(value, bool):
        number = 1.0 if value else 0.0
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        number = string_to_number(value)
    else:  # arrays and objects go through their string form
        number = string_to_number(to_string(value))
    if math.isfinite(number) and number.is_integer() and abs(number) <= MAX_SAFE_INTEGER:
        return int(number)
    return number  # a double, as JavaScript holds it: 1e30 stays 1e+30, never a 100-bit integer


def to_boolean(value: Any) -> bool:
    """`Boolean(value)`: only `""`, `0`, NaN, null and false are false (`"false"` is true)."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value) if isinstance(value, str | int | float | bool) or value is None else True


def number_input(value: Any) -> int | float | NotANumber:
    """A zod `z.coerce.number()` input: `Number(value)`, NaN as the value no number schema accepts."""
    number = to_number(value)
    return NOT_A_NUMBER if number != number else number


LEADING_INTEGER = re.compile(r"[+-]?\d+")


def parse_int(value: Any) -> int | None:
    """`parseInt(String(value), 10)`: the integer its text starts with, None for NaN (`1e+21` is 1, `1.9` is 1)."""
    found = LEADING_INTEGER.match(to_string(value).lstrip(JS_WHITESPACE))
    return int(found.group(0)) if found else None
