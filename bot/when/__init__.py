"""Reading "Tuesdays at 3pm" and friends: when a pair wants to meet, in plain words.

``schedule`` is the rule as its author meant it (``SessionTime``) and the instants it gives;
``parse`` reads a phrase into one, with the regexes in ``patterns``; ``words`` holds the
vocabulary of each language. Callers import from here.
"""

from bot.when.parse import parse_time_of_day, parse_when, warm_up
from bot.when.schedule import (
    EXAMPLES,
    LANGUAGES,
    WEEKDAYS,
    WORKING_HOURS,
    SessionTime,
    UnreadableTime,
    local_to_utc,
    zone,
)

__all__ = [
    "EXAMPLES",
    "LANGUAGES",
    "WEEKDAYS",
    "WORKING_HOURS",
    "SessionTime",
    "UnreadableTime",
    "local_to_utc",
    "parse_time_of_day",
    "parse_when",
    "warm_up",
    "zone",
]
