"""Exact money: Decimal from text, half-up to the grosz, babel for display.

No float ever enters: a YAML number is read through its source text, and a float handed to
these functions is refused, so a binary rounding error cannot reach a rep's pay.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from salesnotes.errors import Refused
from salesnotes.i18n import Said

GROSZ = Decimal("0.01")
PLACES = 2  # money is written to the grosz: a third decimal place is a typo or a unit price
LIMIT_DIGITS = 13  # 10^13 zł and more is a broken cell, not a sale: no client buys that much
MEMO_LIMIT = 32768  # formatted amounts kept per (currency, locale)
_AMOUNT_SUFFIX = re.compile(r"\s*(?:zł|zl|pln)\.?$", re.I)
_SPACE_LIKE = re.compile(r"[ \u00a0\u202f\u2009]")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([ .,])[0-9]{3})(?:\1[0-9]{3})*")
_DIGITS = re.compile(r"[0-9]+")


def parse_money(text: str) -> Decimal:
    """An amount of money, in notes and in imports alike: `parse_number`'s grammar, at most two
    decimal places (more is refused, never rounded: 200 documents of `0,005` are not 2,00 zł)
    and below 10^13 in size (a 26-digit cell is a broken export, not a sale)."""
    value, digits, frac = _parse(text)
    raw = text.strip()
    if len(digits.lstrip("0")) > LIMIT_DIGITS:
        raise Refused(Said("err_amount_too_large", text=repr(raw)))
    if frac is not None and len(frac.rstrip("0")) > PLACES:  # `12,500` changes no grosz
        raise Refused(Said("err_amount_places", text=repr(raw), places=PLACES))
    return value


def parse_number(text: str) -> Decimal:
    """The one grammar for amounts and other decimals (rates, weights), exact.

    `240000`, `240000.50`, `1 234,56 zł`, `1.234,56`, `1,234.56`, `-12,00` (also U+2212).
    Thousands by space, NBSP, U+202F or the mark opposite the decimal one. Ambiguous forms
    (`1,234`, `1.234`, `12,3,4`) are errors, never guesses.
    """
    return _parse(text)[0]


def _parse(text: str) -> tuple[Decimal, str, str | None]:
    """(value, its whole digits, its fraction's digits or None): the checks of money read the
    digits as written, which costs nothing next to Decimal arithmetic on 50,000 rows."""
    if not isinstance(text, str):
        raise TypeError("amounts are read from text, never from a float")
    raw = text.strip()
    s = _SPACE_LIKE.sub(" ", _AMOUNT_SUFFIX.sub("", raw))
    negative = s[:1] in ("-", "\u2212")
    if s[:1] in ("-", "\u2212", "+"):
        s = s[1:].lstrip()
    whole, frac = _split_decimal(s, raw)
    if not (_DIGITS.fullmatch(whole) or _GROUPED.fullmatch(whole)) or (
            frac is not None and not _DIGITS.fullmatch(frac)):
        raise Refused(Said("err_not_amount", text=repr(raw)) if raw else Said("err_no_amount"))
    digits = re.sub(r"[ .,]", "", whole)
    value = Decimal(digits + (f".{frac}" if frac is not None else ""))
    return (-value if negative else value), digits, frac


def _split_decimal(s: str, raw: str) -> tuple[str, str | None]:
    """(whole, fraction): the last `,` or `.` is the decimal mark unless it repeats."""
    last = max(s.rfind(","), s.rfind("."))
    if last < 0:
        return s, None
    mark, other = s[last], "." if s[last] == "," else ","
    if s.count(mark) > 1:
        if other in s:
            raise Refused(Said("err_not_amount", text=repr(raw)))
        return s, None  # `1.234.567`: grouping only, checked by the caller
    whole, frac = s[:last], s[last + 1:]
    if len(frac) == 3 and re.fullmatch(r"[1-9][0-9]{0,2}", whole):
        raise Refused(Said("err_ambiguous_amount", text=repr(raw)))
    return whole, frac


def to_grosz(value: Decimal) -> Decimal:
    """Round half-up to the minor unit, as Polish accounting does."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    return value.quantize(GROSZ, rounding=ROUND_HALF_UP)


def format_money(value: Decimal, currency: str = "PLN", locale: str = "pl") -> str:
    """`12 345,67 zł` (pl, with no-break spaces) or `PLN 12,345.67` (en), half-up to the grosz."""
    return money_formatter(currency, locale)(value)


@lru_cache(maxsize=8)
def money_formatter(currency: str, locale: str) -> Callable[[Decimal], str]:
    """format_money for one (currency, locale), for callers formatting thousands of amounts.

    babel formats one probe amount; its separators and layout are then reused, which is 50x
    faster and gives babel's exact text (a view may hold 40,000 amounts).
    """
    probe = _babel_money(Decimal("1234567.89"), currency, locale)
    digits = re.search(r"1.?234.?567.89", probe)
    if digits is None:  # an unexpected layout: stay exact, if slow
        return lambda v: _babel_money(to_grosz(v), currency, locale)
    number = digits.group()
    group = number[1] if not number[1].isdigit() else ""
    point = number[-3]
    before, after = probe[: digits.start()], probe[digits.end():]
    plain = (group, point) == (",", ".")  # Python's own layout: nothing to swap

    def layout(value: Decimal) -> str:
        amount = to_grosz(value)
        text = f"{abs(amount):,.2f}"
        if not plain:  # three replaces: quicker than str.translate, and any marks may swap
            text = text.replace(",", "\0").replace(".", point).replace("\0", group)
        return ("-" if amount < 0 else "") + before + text + after

    # Amounts repeat (round potentials and budgets: 215 distinct in 10,000 clients), so texts
    # are kept by value; `150000` and `150000.00` rightly share one. Only Decimals: a float
    # equal to one must still be refused by to_grosz.
    done: dict[Decimal, str] = {}

    def fmt(value: Decimal) -> str:
        if value.__class__ is not Decimal or not value.is_finite():
            return layout(value)
        text = done.get(value)
        if text is None:
            if len(done) >= MEMO_LIMIT:
                done.clear()
            text = done[value] = layout(value)
        return text

    return fmt


def _babel_money(amount: Decimal, currency: str, locale: str) -> str:
    # babel's locale data only when money or dates are formatted
    from babel.numbers import format_currency

    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        if locale.startswith("pl"):
            return format_currency(amount, currency, locale="pl_PL")
        return format_currency(amount, currency, locale="en_US", format="¤ #,##0.00",
                               currency_digits=True)
