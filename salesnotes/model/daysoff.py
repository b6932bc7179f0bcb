"""Which days get no contacts: Polish public holidays plus the rep's leave (`days_off:`).

Pure: the holiday dates are handed in (salesnotes/local/holidays.py finds them with the
`holidays` package and keeps them, as importing that package costs more than a review).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

SEARCH_DAYS = 400  # a leave longer than a year leaves the routine where it was


@dataclass(frozen=True)
class DaysOff:
    holidays: Mapping[date, str] = field(default_factory=dict)  # date -> name, vault's language
    leave: frozenset[date] = frozenset()

    def off(self, d: date) -> bool:
        return d in self.leave or d in self.holidays

    def why(self, d: date) -> str | None:
        """The holiday's name; None on leave or a normal day."""
        return self.holidays.get(d)

    def open_workday_before(self, d: date, workdays: tuple[int, ...]) -> date | None:
        """The last workday before d that is not off (None when none is near)."""
        for back in range(1, SEARCH_DAYS):
            day = d - timedelta(days=back)
            if day.weekday() in workdays and not self.off(day):
                return day
        return None


NO_DAYS_OFF = DaysOff()
