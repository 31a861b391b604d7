"""Reading when a pair meets, as people type it: the phrase table, rules, zones, daylight saving.

Every row is read as of Monday 2 March 2026, 15:00 UTC (16:00 in Berlin, 10:00 in New York,
07:00 in Los Angeles), so "next" and "first one" are fixed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.when import SessionTime, UnreadableTime, local_to_utc, parse_time_of_day, parse_when

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
BERLIN, NEW_YORK, LOS_ANGELES = "Europe/Berlin", "America/New_York", "America/Los_Angeles"


def read(
    phrase: str, tz: str = BERLIN, languages: tuple[str, ...] = (), **options: object
) -> SessionTime:
    """What the modal will do once sessions can store several days and monthly rules."""
    settings: dict[str, object] = {"several_days": True, "monthly": True} | options
    return parse_when(phrase, tz=tz, now=NOW, languages=languages, **settings)  # type: ignore[arg-type]


# phrase | read as (in the author's zone) | first session (in 2026 unless a year is given);
# a line [zone languages...] sets both for the rows below it.
PHRASES = """
# weekly, every other week, every N weeks
[Europe/Berlin]
Tuesdays at 3pm                          | every Tuesday at 15:00                       | 03-03
every Tuesday at 3pm                     | every Tuesday at 15:00                       | 03-03
Tuesday at 3pm                           | every Tuesday at 15:00                       | 03-03
every other Thursday 10:30               | every other Thursday at 10:30                | 03-05
Mondays 9am                              | every Monday at 09:00                        | 03-09
weekly on Wednesday at noon              | every Wednesday at 12:00                     | 03-04
on Mondays at 17:30                      | every Monday at 17:30                        | 03-02
Mondays at 4pm                           | every Monday at 16:00                        | 03-09
fortnightly on Fridays at 11am           | every other Friday at 11:00                  | 03-06
biweekly on Tuesdays at 3pm              | every other Tuesday at 15:00                 | 03-03
bi-weekly Tuesdays 3pm                   | every other Tuesday at 15:00                 | 03-03
every 2 weeks on Monday at 10            | every other Monday at 10:00                  | 03-09
every other Monday at 11                 | every other Monday at 11:00                  | 03-09
every second Friday at 2pm               | every other Friday at 14:00                  | 03-06
every fortnight on Tuesday at 3pm        | every other Tuesday at 15:00                 | 03-03
every 3 weeks on Tuesday at 3pm          | every 3 weeks on Tuesday at 15:00            | 03-03
every third week on Wednesday at 10am    | every 3 weeks on Wednesday at 10:00          | 03-04
every 4 weeks on Thursday at 9           | every 4 weeks on Thursday at 09:00           | 03-05
once a week on Thursday at 2pm           | every Thursday at 14:00                      | 03-05
each Friday at 10                        | every Friday at 10:00                        | 03-06
# several days: never the first day only
Mondays and Thursdays at 8am             | every Monday and Thursday at 08:00           | 03-05
Tuesday and Thursday at 3pm              | every Tuesday and Thursday at 15:00          | 03-03
Mondays, Wednesdays and Fridays at 9     | every Monday, Wednesday and Friday at 09:00  | 03-04
every other Monday and Thursday at 8am   | every other Monday and Thursday at 08:00     | 03-05
Tue & Thu at 15:00                       | every Tuesday and Thursday at 15:00          | 03-03
Thursdays and Mondays at 10              | every Monday and Thursday at 10:00           | 03-05
# monthly, by ordinal weekday
the first Monday of every month at 9     | the first Monday of every month at 09:00     | 04-06
last Friday of the month at 3pm          | the last Friday of every month at 15:00      | 03-27
second Wednesday monthly at 10:00        | the second Wednesday of every month at 10:00 | 03-11
first Monday of the month at 9           | the first Monday of every month at 09:00     | 04-06
every last Friday at 4pm                 | the last Friday of every month at 16:00      | 03-27
the third Thursday of each month at 2pm  | the third Thursday of every month at 14:00   | 03-19
fourth Tuesday of every month at 11am    | the fourth Tuesday of every month at 11:00   | 03-24
first Monday of every month at 5pm       | the first Monday of every month at 17:00     | 03-02
# any word order
1pm every Friday                         | every Friday at 13:00                        | 03-06
at 3pm every Tuesday                     | every Tuesday at 15:00                       | 03-03
3pm on Tuesdays                          | every Tuesday at 15:00                       | 03-03
10:00 on Wednesdays                      | every Wednesday at 10:00                     | 03-04
11am, Thursdays                          | every Thursday at 11:00                      | 03-05
# bare hours take the working-day reading; other ways of writing a time
Fridays at 9                             | every Friday at 09:00                        | 03-06
Tuesdays at 3                            | every Tuesday at 15:00                       | 03-03
Thursdays at 10                          | every Thursday at 10:00                      | 03-05
Tuesdays at 1                            | every Tuesday at 13:00                       | 03-03
Tuesdays at 7                            | every Tuesday at 19:00                       | 03-03
Tuesdays at 8                            | every Tuesday at 08:00                       | 03-03
Tuesdays at 11                           | every Tuesday at 11:00                       | 03-03
Tuesdays at 12                           | every Tuesday at 12:00                       | 03-03
Thursdays 09:30                          | every Thursday at 09:30                      | 03-05
Thursdays 03:30                          | every Thursday at 03:30                      | 03-05
Wed 9.30                                 | every Wednesday at 09:30                     | 03-04
Tuesdays 10.15                           | every Tuesday at 10:15                       | 03-03
Tuesdays 15h30                           | every Tuesday at 15:30                       | 03-03
Tuesdays 15h                             | every Tuesday at 15:00                       | 03-03
Tuesdays at half past three              | every Tuesday at 15:30                       | 03-03
Thursdays at quarter to four             | every Thursday at 15:45                      | 03-05
Fridays at quarter past ten              | every Friday at 10:15                        | 03-06
Fridays at noon                          | every Friday at 12:00                        | 03-06
Fridays at midday                        | every Friday at 12:00                        | 03-06
Tuesdays at 3 in the afternoon           | every Tuesday at 15:00                       | 03-03
Wednesdays at 7 in the morning           | every Wednesday at 07:00                     | 03-04
Tuesdays at three                        | every Tuesday at 15:00                       | 03-03
Tuesdays at 3 o'clock                    | every Tuesday at 15:00                       | 03-03
Mondays at 6:30pm                        | every Monday at 18:30                        | 03-02
Tuesdays at 3 p.m.                       | every Tuesday at 15:00                       | 03-03
# the length, from a range or "for ..."
Fri 4:30pm for 45 minutes                | every Friday at 16:30, 45 minutes            | 03-06
Tuesdays 10:30am-11:15am                 | every Tuesday at 10:30, 45 minutes           | 03-03
3-4pm on Thursdays                       | every Thursday at 15:00, 60 minutes          | 03-05
Tuesdays 15:00\u201315:45               | every Tuesday at 15:00, 45 minutes           | 03-03
Tuesdays at 3pm for an hour              | every Tuesday at 15:00, 60 minutes           | 03-03
Mondays from 11 to 12                    | every Monday at 11:00, 60 minutes            | 03-09
Thursdays 2pm, 50 min                    | every Thursday at 14:00, 50 minutes          | 03-05
Wednesdays between 10 and 11am           | every Wednesday at 10:00, 60 minutes         | 03-04
# a zone named in the phrase, restated in the author's
Tuesdays 7pm EST                         | every Wednesday at 01:00                     | 03-04
Tuesdays 3pm CET                         | every Tuesday at 15:00                       | 03-03
Tuesdays 15:00 Europe/London             | every Tuesday at 16:00                       | 03-03
Thursdays at 9am PT                      | every Thursday at 18:00                      | 03-05
Fridays at 2pm UTC                       | every Friday at 15:00                        | 03-06
Monday at noon EST                       | every Monday at 18:00                        | 03-02
# typos and filler
Teusdays at 3pm                          | every Tuesday at 15:00                       | 03-03
Thrusday at 10am                         | every Thursday at 10:00                      | 03-05
Wednsday at 11                           | every Wednesday at 11:00                     | 03-04
evry Monday at 10                        | every Monday at 10:00                        | 03-09
Firdays at 2pm                           | every Friday at 14:00                        | 03-06
every Tusday at 4pm                      | every Tuesday at 16:00                       | 03-03
Tuesdays at 3pm in the marketing room    | every Tuesday at 15:00                       | 03-03
Thursdays at 10 not in August            | every Thursday at 10:00                      | 03-05
let's meet on Mondays at 2pm please      | every Monday at 14:00                        | 03-09
# the author's language, English always
[Europe/Berlin de-DE]
dienstags um 15 Uhr                      | every Tuesday at 15:00                       | 03-03
[Europe/Berlin de]
jeden Donnerstag um 10:30                | every Thursday at 10:30                      | 03-05
jeden zweiten Mittwoch um 10 Uhr         | every other Wednesday at 10:00               | 03-04
alle zwei Wochen freitags um 14 Uhr      | every other Friday at 14:00                  | 03-06
montags und donnerstags um 8 Uhr         | every Monday and Thursday at 08:00           | 03-05
am ersten Montag im Monat um 9 Uhr       | the first Monday of every month at 09:00     | 04-06
morgen um 11 Uhr                         | once, on Tuesday 03 March at 11:00           | 03-03
nächsten Dienstag um 15 Uhr              | once, on Tuesday 03 March at 15:00           | 03-03
Tuesdays at 3pm                          | every Tuesday at 15:00                       | 03-03
[Europe/Berlin fr-FR]
le mardi à 15h                           | every Tuesday at 15:00                       | 03-03
[Europe/Berlin fr]
tous les mardis à 15h30                  | every Tuesday at 15:30                       | 03-03
le jeudi à 10h                           | every Thursday at 10:00                      | 03-05
le premier lundi du mois à 9h            | the first Monday of every month at 09:00     | 04-06
demain à 11h                             | once, on Tuesday 03 March at 11:00           | 03-03
dans 2 jours à 15h                       | once, on Wednesday 04 March at 15:00         | 03-04
mardi prochain à 15h                     | once, on Tuesday 03 March at 15:00           | 03-03
[Europe/Berlin es]
los martes a las 15:00                   | every Tuesday at 15:00                       | 03-03
los jueves a las 3 de la tarde           | every Thursday at 15:00                      | 03-05
cada dos semanas los viernes a las 10    | every other Friday at 10:00                  | 03-06
el primer lunes de cada mes a las 9      | the first Monday of every month at 09:00     | 04-06
mañana a las 11                          | once, on Tuesday 03 March at 11:00           | 03-03
el martes que viene a las 15:00          | once, on Tuesday 03 March at 15:00           | 03-03
# one-offs: a single session, not a rule
[Europe/Berlin]
tomorrow at 11am                         | once, on Tuesday 03 March at 11:00           | 03-03
next Friday at 2:30pm                    | once, on Friday 06 March at 14:30            | 03-06
Tuesday the 10th at 3pm                  | once, on Tuesday 10 March at 15:00           | 03-10
March 10 at 3pm                          | once, on Tuesday 10 March at 15:00           | 03-10
10 March at 3pm                          | once, on Tuesday 10 March at 15:00           | 03-10
Wednesday 11 March at 5pm                | once, on Wednesday 11 March at 17:00         | 03-11
2026-03-10 15:00                         | once, on Tuesday 10 March at 15:00           | 03-10
15/3 at 3pm                              | once, on Sunday 15 March at 15:00            | 03-15
15/3/2027 at 3pm                         | once, on Monday 15 March at 15:00            | 2027-03-15
in 2 days at 3pm                         | once, on Wednesday 04 March at 15:00         | 03-04
today at 5pm                             | once, on Monday 02 March at 17:00            | 03-02
tonight at 8                             | once, on Monday 02 March at 20:00            | 03-02
this Thursday at 1pm                     | once, on Thursday 05 March at 13:00          | 03-05
on the 20th at 10am                      | once, on Friday 20 March at 10:00            | 03-20
the first Monday of April at 9           | once, on Monday 06 April at 09:00            | 04-06
# authors in America
[America/New_York]
Tuesdays at 3pm                          | every Tuesday at 15:00                       | 03-03
Mondays at 11                            | every Monday at 11:00                        | 03-02
Tuesdays at 3pm CET                      | every Tuesday at 09:00                       | 03-03
Mondays and Wednesdays at 9:30           | every Monday and Wednesday at 09:30          | 03-04
the last Friday of the month at 2pm      | the last Friday of every month at 14:00      | 03-27
[America/Los_Angeles]
every other Friday at 9                  | every other Friday at 09:00                  | 03-06
tomorrow at 9am                          | once, on Tuesday 03 March at 09:00           | 03-03
Wednesdays at 4pm ET                     | every Wednesday at 13:00                     | 03-04
"""


def _rows(table: str) -> list[tuple[str, str, tuple[str, ...], str, str]]:
    rows: list[tuple[str, str, tuple[str, ...], str, str]] = []
    tz, languages = BERLIN, tuple[str, ...]()
    for line in table.strip().splitlines():
        if line.startswith("["):
            tz, *rest = line.strip("[]").split()
            languages = tuple(rest)
        elif not line.startswith("#"):
            phrase, described, first = (cell.strip() for cell in line.split("|"))
            first = first if len(first) == 10 else f"2026-{first}"
            rows.append((phrase, tz, languages, described, first))
    return rows


UNDERSTOOD = _rows(PHRASES)


@pytest.mark.parametrize(
    ("phrase", "tz", "languages", "described", "first"),
    UNDERSTOOD,
    ids=[f"{row[0]} [{row[1].split('/')[-1]}]" for row in UNDERSTOOD],
)
def test_a_phrase_is_read_as_the_author_meant_it(
    phrase: str, tz: str, languages: tuple[str, ...], described: str, first: str
) -> None:
    when = read(phrase, tz, languages)
    assert when.tz == tz
    assert (when.describe().replace(f" ({tz})", ""), when.first_date.isoformat()) == (
        described,
        first,
    )
    assert when.weekday == when.first_date.weekday()
    assert when.first_start() > NOW


REFUSED = [
    ("daily at 9", "daily sessions"),
    ("every day at 10", "daily sessions"),
    ("every weekday at 9", "daily sessions"),
    ("every 2 days at 3pm", "daily sessions"),
    ("Tuesdays at 27:00", "27:00 isn't a time of day"),
    ("Tuesdays at 24:30", "24:30 isn't a time of day"),
    ("Tuesdays 13pm", "13pm isn't a time of day"),
    ("Tuesdays", "Add a time to 'Tuesdays'"),
    ("at 3pm", "Add a day"),
    ("blorp", "I need a day and a time"),
    ("whenever suits", '"Tuesdays at 3pm"'),
    ("", "Say when you'd like to meet"),
    ("every 6 weeks on Monday at 10", "Every 6 weeks isn't offered"),
    ("quarterly on Mondays at 9", "That rhythm isn't offered"),
    ("every Friday morning", "'morning' isn't a time"),
    ("at lunch on Tuesdays", "'lunch' isn't a time"),
    ("Tuesday or Thursday at 3pm", "I read 'or'"),
    ("Tuesdays 10:30am-12:00pm", "last 45 to 60 minutes, and you said 90"),
    ("Tuesdays at 3pm for half an hour", "you said 30"),
    ("twice a week at 3pm", "Say which days"),
    ("monthly at 9", "Say which week of the month"),
    ("every month on the 15th at 3pm", "Say which week of the month"),
    ("last Friday at 5pm", "Say which month, or 'of every month'"),
    ("the fifth Monday of the month at 9", "fifth"),
    ("10/3 at 3pm", "write the month as a word"),
    ("Tuesdays at 3pm and Thursdays at 4pm", "more than one time (15:00 and 16:00)"),
    ("today at 9am", "already passed"),
    ("next week at 3pm", "Add a day of the week or a date"),
    ("Friday the 10th at 3pm", "Tuesday 10 March isn't a Friday"),
    ("next Tuesday and Thursday at 3pm", "A single session is on one day"),
    ("Tuesdays at 3pm starting March 10", "mixes a repeating rule and a date"),
]


@pytest.mark.parametrize(("phrase", "message"), REFUSED, ids=[row[0] for row in REFUSED])
def test_what_cannot_be_honoured_is_refused_saying_what_is_missing(
    phrase: str, message: str
) -> None:
    with pytest.raises(UnreadableTime) as refused:
        read(phrase)
    assert message in str(refused.value)
    assert "for example" in str(refused.value) or "already passed" in str(refused.value)


def test_a_program_without_several_days_or_monthly_rules_refuses_them_with_an_example() -> None:
    assert parse_when("Mondays and Thursdays at 8am", tz=BERLIN, now=NOW).days == (0, 3)
    with pytest.raises(UnreadableTime, match="sessions are on one day of the week") as one_day:
        parse_when("Mondays and Thursdays at 8am", tz=BERLIN, now=NOW, several_days=False)
    assert 'for example "Tuesdays at 3pm"' in str(one_day.value)
    with pytest.raises(UnreadableTime, match="doesn't hold monthly sessions") as monthly:
        parse_when("the first Monday of every month at 9", tz=BERLIN, now=NOW, monthly=False)
    assert 'for example "every 4 weeks on Monday at 11"' in str(monthly.value)
    with pytest.raises(UnreadableTime, match="Weekly sessions aren't offered") as weekly:
        read("Tuesdays at 3pm", cadences=(2,))
    assert "repeat every other week" in str(weekly.value)
    assert read("next Tuesday at 3pm", cadences=(2,)).every_weeks == 0  # a one-off is no rhythm


def test_the_working_hours_the_length_and_the_cadences_are_the_programs() -> None:
    assert read("Tuesdays at 7", working_hours=(time(7), time(19))).local_time == time(7)
    assert read("Tuesdays at 3pm for half an hour", min_minutes=30).duration_minutes == 30
    assert read("Tuesdays 10:30am-12:00pm", max_minutes=90).duration_minutes == 90
    with pytest.raises(UnreadableTime, match="Every 3 weeks isn't offered") as refused:
        read("every 3 weeks on Tuesday at 3pm", cadences=(1, 2))
    assert "repeat weekly or every other week" in str(refused.value)


def test_filler_is_kept_aside_so_the_confirmation_can_show_it() -> None:
    assert read("Tuesdays at 3pm in the marketing room").ignored == "marketing room"
    assert read("Thursdays at 10 not in August").ignored == "not august"
    assert read("Tuesdays at 3pm").ignored == ""


def test_a_rule_is_described_in_the_readers_zone_even_when_the_day_changes() -> None:
    los_angeles = read("Tuesdays at 3pm", tz=LOS_ANGELES)
    assert los_angeles.describe(NEW_YORK) == "every Tuesday at 18:00 (America/New_York)"
    assert los_angeles.describe() == "every Tuesday at 15:00 (America/Los_Angeles)"
    late = read("Tuesdays and Fridays at 1am")
    assert late.describe(LOS_ANGELES) == "every Monday and Thursday at 16:00 (America/Los_Angeles)"
    once = read("tomorrow at 11am")
    assert once.describe(NEW_YORK) == "once, on Tuesday 03 March at 05:00 (America/New_York)"
    monthly = read("the first Monday of every month at 1am")
    assert monthly.describe(NEW_YORK) == (
        "the first Monday of every month at 01:00 (Europe/Berlin), Sunday 19:00 (America/New_York)"
    )


def test_the_dates_of_each_kind_of_rule() -> None:
    assert read("Mondays and Thursdays at 8am").dates(date(2026, 3, 1), date(2026, 3, 16)) == [
        date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 16),
    ]  # fmt: skip
    assert read("every other Monday and Thursday at 8am").dates(
        date(2026, 3, 1), date(2026, 3, 31)
    ) == [date(2026, 3, 5), date(2026, 3, 16), date(2026, 3, 19), date(2026, 3, 30)]
    assert read("last Friday of the month at 3pm").dates(date(2026, 3, 1), date(2026, 6, 30)) == [
        date(2026, 3, 27), date(2026, 4, 24), date(2026, 5, 29), date(2026, 6, 26),
    ]  # fmt: skip
    every_three = read("every 3 weeks on Tuesday at 3pm")
    assert every_three.dates(date(2026, 4, 1), date(2026, 5, 1)) == [date(2026, 4, 14)]
    assert read("tomorrow at 11am").dates(date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 3)]
    assert read("tomorrow at 11am").dates(date(2026, 3, 4), date(2026, 3, 31)) == []


def test_the_rule_as_icalendar_text_ending_at_the_term() -> None:
    assert read("Tuesday and Thursday at 3pm").rrule() == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH"
    assert read("every other Monday at 11").rrule() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert read("first Monday of the month at 9").rrule() == "FREQ=MONTHLY;BYDAY=1MO"
    assert read("last Friday of the month at 3pm").rrule() == "FREQ=MONTHLY;BYDAY=-1FR"
    assert read("Tuesdays at 3pm").rrule(until=date(2027, 3, 2)) == (
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;UNTIL=20270302T140000Z"
    )
    with pytest.raises(ValueError, match="one-off"):
        read("tomorrow at 11am").rrule()


def test_the_old_shape_still_works_for_the_rest_of_the_app() -> None:
    old = SessionTime(
        tz=BERLIN, local_time=time(12), first_date=date(2026, 3, 4), every_weeks=2, weekday=2
    )
    assert old.describe() == "every other Wednesday at 12:00 (Europe/Berlin)"
    assert old.rule_days == (2,)
    assert old.recurring
    assert old == read("every other Wednesday at noon")
    assert parse_time_of_day("half past three", now=NOW) == time(15, 30)
    assert parse_when("Tuesdays at 3pm", tz=BERLIN, now=NOW).every_weeks == 1


def test_a_rule_across_the_clock_changes_keeps_its_wall_clock_time() -> None:
    sundays = read("Sundays at 2:30")  # the window reads 2:30 as 14:30
    assert sundays.local_time == time(14, 30)
    early = read("Sundays at 02:30")
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert spring in early.dates(spring, spring) and autumn in early.dates(autumn, autumn)
    assert local_to_utc(spring, early.local_time, BERLIN) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    assert local_to_utc(autumn, early.local_time, BERLIN) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    once = read("March 29 at 02:30")
    assert once.first_start() == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


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
