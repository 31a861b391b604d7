"""Reading when a pair meets: daylight saving as a calendar would place it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.when import local_to_utc


@pytest.mark.parametrize(
    ("day", "at", "tz", "utc"),
    [
        # spring forward: 02:00-03:00 doesn't exist, so 02:30 is 03:30 local
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", datetime(2026, 3, 29, 1, 30)),
        (date(2026, 3, 8), time(2, 30), "America/New_York", datetime(2026, 3, 8, 7, 30)),
        # fall back: the repeated hour is the first one (summer time still)
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", datetime(2026, 10, 25, 0, 30)),
        (date(2026, 11, 1), time(1, 30), "America/New_York", datetime(2026, 11, 1, 5, 30)),
        # either side of the changes
        (date(2026, 3, 28), time(15), "Europe/Berlin", datetime(2026, 3, 28, 14)),
        (date(2026, 3, 29), time(15), "Europe/Berlin", datetime(2026, 3, 29, 13)),
        (date(2026, 10, 26), time(15), "Europe/Berlin", datetime(2026, 10, 26, 14)),
        (date(2026, 3, 7), time(15), "America/New_York", datetime(2026, 3, 7, 20)),
        (date(2026, 3, 9), time(15), "America/New_York", datetime(2026, 3, 9, 19)),
        (date(2026, 11, 2), time(15), "America/New_York", datetime(2026, 11, 2, 20)),
    ],
)
def test_a_skipped_hour_moves_forward_and_a_repeated_one_is_the_first(
    day: date, at: time, tz: str, utc: datetime
) -> None:
    assert local_to_utc(day, at, tz) == utc.replace(tzinfo=UTC)
