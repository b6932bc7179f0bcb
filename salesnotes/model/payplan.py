"""A rep's pay plan as salesnotes.yaml states it: base, commission bands, bonuses, benefits.

Apart from config.py, which makes them only for a vault with a `pay:` section: every command
reads the config. Named tuples, not frozen dataclasses: the process that renders Pay makes
them at import, and a dataclass costs about a millisecond to make (ARCHITECTURE.md, speed:
records).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Band(NamedTuple):
    start: Decimal  # attainment fraction where the band starts
    rate: Decimal


class Bonus(NamedTuple):
    name: str
    period: str  # month | quarter | year
    min_attainment: Decimal
    amount: Decimal


class Benefit(NamedTuple):
    name: str
    limit: Decimal | None = None
    used: Decimal | None = None


class PayPlan(NamedTuple):
    base: Decimal
    basis: str  # revenue | margin
    period: str  # month | quarter
    bands: tuple[Band, ...]
    bonuses: tuple[Bonus, ...]
    benefits: tuple[Benefit, ...]
