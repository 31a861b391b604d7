"""Calendar arithmetic shared by every feature that plans something months ahead."""

from __future__ import annotations

import calendar
from datetime import date
from typing import TypeVar

D = TypeVar("D", bound=date)


def add_months(day: D, months: int) -> D:
    """The same day (and time, for a datetime) ``months`` later, clamped to the month's last
    day (Jan 31 + 1 month is Feb 28), so monthly plans never skip a short month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
