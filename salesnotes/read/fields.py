"""Typing front-matter values from their source text: dates, money, NIP, lists.

Each parser takes the text exactly as the rep wrote it and either returns the value or raises
Refused with a message fit for `path:line: message`. Nothing here guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache

from salesnotes.errors import Refused
from salesnotes.i18n import Said
from salesnotes.model.money import parse_money, parse_number

_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\S*)?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """`2026-11-18`, `2026-3-5` or a datetime (its written date, never shifted by timezone).

    Cached: a vault repeats the same few hundred dates in hundreds of thousands of log lines.
    """
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # impossible dates get the message below
    m = _DATE.fullmatch(text.strip())
    if not m:
        raise Refused(Said("err_not_a_date", text=repr(text)))
    y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise Refused(Said("err_impossible_date", text=repr(text))) from None


_WRITTEN = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4})")
# The same two forms as an ERP writes them in a cell: a time (and a zone) may follow, never
# shifting the date; `r.` (roku) may follow a Polish date.
_STAMPED = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
                      r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
                      r"\s*(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
                      r"|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})(?:\s*r\.?)?"
                      r"(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?")


def parse_written_date(text: str, *, stamped: bool = False) -> date:
    """A date as a person types it on the command line: `2026-12-03` or `03.12.2026`; with
    `stamped`, as an export's cell holds it (`2026-12-03T10:00+01:00`, `3.12.2026 r.`)."""
    m = (_STAMPED if stamped else _WRITTEN).fullmatch(text.strip())
    if not m:
        raise Refused(Said("err_not_a_written_date", text=repr(text)))
    y, mo, d = (int(g) for g in (m.group(1, 2, 3) if m.group(1) else m.group(6, 5, 4)))
    try:
        return date(y, mo, d)
    except ValueError:
        raise Refused(Said("err_not_a_day", text=repr(text), month=mo, day=d)) from None


def parse_month(text: str) -> date:
    """`2027-02` (the first of that month) or a full date, for an opportunity's close."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise Refused(Said("err_impossible_month", text=repr(text)))
        return date(y, mo, 1)
    return parse_date(t)


# Compact NIPs python-stdnum accepted in an earlier run, as `parse_nip` returned them, and who
# keeps such NIPs (the who-is-who index): see `accept_nips`.
_ACCEPTED: set[str] = set()
_KEEPERS: list[Callable[[str], bool]] = []


def accept_nips(accepted: Iterable[str | None]) -> None:
    """NIPs python-stdnum accepted in an earlier run, each kept exactly as `parse_nip` returned
    it (the who-is-who index keeps them): `parse_nip` takes that very text as it is, for the
    rest of the process, without asking python-stdnum again. Its import (ssl, pydoc) is a
    twentieth of a `log`, which reads one or two notes the index has vouched for. Only a text
    equal to such a compact NIP is taken (`parse_nip` of it is itself); any other is checked."""
    _ACCEPTED.update(n for n in accepted if n)


@contextmanager
def nip_keeper(keeps: Callable[[str], bool]) -> Iterator[None]:
    """While the block runs, a compact NIP `keeps` says it holds (as `accept_nips` would be
    given it) is accepted the same way, asked only for a text of ten digits."""
    _KEEPERS.append(keeps)
    try:
        yield
    finally:
        _KEEPERS.remove(keeps)


def _vouched(raw: str) -> bool:
    if raw in _ACCEPTED:
        return True
    if len(raw) == 10 and raw.isdigit() and any(keeps(raw) for keeps in _KEEPERS):
        _ACCEPTED.add(raw)
        return True
    return False


def parse_nip(text: str) -> str:
    """Any written form (`526-025-02-74`, `PL 526 025 02 74`) to 10 compact digits.

    The one NIP reader, for notes, imports, lookups and `new` alike (python-stdnum checks it,
    once: see `accept_nips`).
    """
    raw = text.strip()
    if _vouched(raw):
        return raw
    # python-stdnum only when a NIP is checked or described
    from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
    from stdnum.pl import nip

    if not raw:
        raise Refused(Said("err_no_nip"))
    try:
        return str(nip.validate(raw.replace(".", "")))
    except InvalidChecksum:
        raise Refused(Said("err_nip_checksum", nip=repr(raw))) from None
    except InvalidLength:
        digits = len(nip.compact(raw.replace(".", "")))
        raise Refused(Said("err_nip_length", nip=repr(raw), digits=digits)) from None
    except ValidationError:
        raise Refused(Said("err_nip_digits", nip=repr(raw))) from None


def is_plain_number(text: str) -> bool:
    return bool(_PLAIN_NUMBER.fullmatch(text))


@lru_cache(maxsize=1 << 14)
def parse_amount(text: str) -> Decimal:
    """`model/money.parse_money` for the notes, cached, so notes writing the same amount hold
    one Decimal (immutable), as they share dates and texts: a generated 10k vault writes
    48,000 amounts, 1,570 of them distinct."""
    return parse_money(text)


@lru_cache(maxsize=1 << 10)
def parse_probability(text: str) -> Decimal:
    """`0.6`, `0,6` or `60%`; must lie between 0 and 1. Cached as `parse_amount` is."""
    t = text.strip()
    pct = t.endswith("%")
    try:
        value = parse_number(t.rstrip("%").strip())
    except Refused:
        raise Refused(Said("err_not_probability", text=repr(text))) from None
    if pct:
        value = value / 100
    if not Decimal(0) <= value <= Decimal(1):
        raise Refused(Said("err_probability_range", text=repr(text)))
    return value


def split_words(text: str) -> tuple[str, ...]:
    """A list typed as a string (`tags: hvac, kraków`), as Obsidian tolerates."""
    parts = re.split(r"[,\s]+", text.strip())
    return tuple(p.lstrip("#") for p in parts if p.strip("#"))
