"""Exact money: Decimal from text, half-up to the grosz, babel for display.

No float ever enters: a YAML number is read through its source text, and a float handed to
these functions is refused, so a binary rounding error cannot reach a rep's pay.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

GROSZ = Decimal("0.01")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"\s*(zł|zl|pln|PLN|EUR|€|eur|\$|USD)\s*$|^\s*(PLN|EUR|USD|\$|€)\s*", re.I)


class MoneyError(ValueError):
    """An amount that cannot be read without guessing."""


def parse_money(text: str) -> Decimal:
    """Read an amount as a rep or an ERP writes it: `240000`, `240000.50`, `"240 000,50 zł"`.

    Ambiguous forms (`1,234`, `1.234`, `12,3,4`) are errors, never guesses.
    """
    if isinstance(text, float):  # pragma: no cover - defensive; callers pass text
        raise TypeError("money must never be a float")
    raw = str(text).strip()
    s = _CURRENCY.sub("", raw).strip()
    s = _SPACES.sub("", s)
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    if s.startswith(("-", "\u2212")):
        neg, s = True, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s:
        raise MoneyError(f"not an amount: {raw!r}")
    commas, points = s.count(","), s.count(".")
    if commas and points:
        raise MoneyError(f"ambiguous amount {raw!r}: both ',' and '.'")
    if commas > 1 or points > 1:
        raise MoneyError(f"ambiguous amount {raw!r}")
    sep = "," if commas else "." if points else ""
    if sep:
        whole, frac = s.split(sep)
        if sep == "," and len(frac) == 3 and _SPACES.sub("", raw) == raw.strip() and "," in raw:
            # `1,234` could be 1.234 or 1234: refuse rather than guess
            raise MoneyError(f"ambiguous amount {raw!r}: write 1234 or 1234,00")
        s = f"{whole}.{frac}"
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", s):
        raise MoneyError(f"not an amount: {raw!r}")
    try:
        value = Decimal(s)
    except InvalidOperation as e:  # pragma: no cover - the regex already guards
        raise MoneyError(f"not an amount: {raw!r}") from e
    return -value if neg else value


def to_grosz(value: Decimal) -> Decimal:
    """Round half-up to the minor unit, as Polish accounting does."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return value.quantize(GROSZ, rounding=ROUND_HALF_UP)


def format_money(value: Decimal, currency: str = "PLN", locale: str = "pl") -> str:
    """`12 345,67 zł` (pl, with no-break spaces) or `PLN 12,345.67` (en)."""
    from babel.numbers import format_currency

    amount = to_grosz(value)
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        if locale.startswith("pl"):
            return format_currency(amount, currency, locale="pl_PL")
        text = format_currency(amount, currency, locale="en_US", format="¤ #,##0.00",
                               currency_digits=True)
        return text


def plain(value: Decimal) -> str:
    """Money as salesnotes writes it into files: plain number, point decimal, no exponent."""
    return format(to_grosz(value), "f")
