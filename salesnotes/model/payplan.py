"""A rep's pay plan as salesnotes.yaml states it: base, commission bands, bonuses, benefits.

Apart from config.py, which makes them only for a vault with a `pay:` section: every command
reads the config, and each frozen dataclass costs a millisecond to make at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Band:
    start: Decimal  # attainment fraction where the band starts
    rate: Decimal


@dataclass(frozen=True)
class Bonus:
    name: str
    period: str  # month | quarter | year
    min_attainment: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Benefit:
    name: str
    limit: Decimal | None = None
    used: Decimal | None = None


@dataclass(frozen=True)
class PayPlan:
    base: Decimal
    basis: str  # revenue | margin
    period: str  # month | quarter
    bands: tuple[Band, ...]
    bonuses: tuple[Bonus, ...]
    benefits: tuple[Benefit, ...]
