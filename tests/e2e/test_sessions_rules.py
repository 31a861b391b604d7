"""Rules people actually say, through the real schedule modal: several days a week, every
other week, monthly, a one-off, a German phrase from a German Slack, a refusal; each read back
in words before it is saved, told to the partner on their own clock, and the calendar invite
parsed back to the same sessions the bot reminds them of."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from tests.conftest import RunningBot
from tests.e2e.journeys import buttons, dms, last_dm, matched_pair
from tests.support.signed import Reply

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"mentorbot_onboarding": False, "mentorbot_session_every_weeks": "1,2"}


def pair_in(
    bot: RunningBot, *, mentor_tz: str, mentee_tz: str, mentee_locale: str = "en-US"
) -> dict[str, Any]:
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz=mentor_tz)
    bot.fake.add_user(MENTEE, real_name="Ada Mentee", tz=mentee_tz, locale=mentee_locale)
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    return matched_pair(bot, MENTOR, MENTEE)


def open_form(bot: RunningBot, user: str, intro: dict[str, Any]) -> dict[str, Any]:
    bot.slack.click(
        "open_schedule",
        user=user,
        value=buttons(intro, "open_schedule")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    return bot.view_opened("session_schedule")


def say(bot: RunningBot, user: str, intro: dict[str, Any], when: str) -> Reply:
    """Type the words and press Next: the check (pushed) or the field error."""
    return bot.slack.submit(open_form(bot, user, intro), user=user, values={"when": when})


def save(bot: RunningBot, user: str, check: Reply) -> Reply:
    assert check.json()["response_action"] == "push", check.json()
    saved = bot.slack.submit(check.json()["view"], user=user, values={})
    bot.settle()
    return saved


def text_of(view: dict[str, Any]) -> str:
    return " ".join(str(b.get("text", b.get("elements", ""))) for b in view["blocks"])


def stamps(text: str) -> list[datetime]:
    return [datetime.fromtimestamp(int(t), UTC) for t in re.findall(r"<!date\^(\d+)\^", text)]


def step_to(bot: RunningBot, when: datetime) -> None:
    bot.clock.set(when)
    bot.settle()
    bot.runtime.services.dispatcher.run_once(when)


def invite(bot: RunningBot) -> tuple[Any, list[datetime]]:
    """The last invite's event, and every session a calendar app expands from it."""
    event = next(iter(Calendar.from_ical(bot.fake.uploads[-1].content).walk("VEVENT")))
    start = event.decoded("dtstart")
    if "rrule" not in event:
        return event, [start.astimezone(UTC)]
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return event, [d.astimezone(UTC) for d in rule]


def bot_sessions(bot: RunningBot) -> list[datetime]:
    slot = bot.runtime.services.sessions.slot("T0001", 1)
    assert slot is not None
    partnership = bot.runtime.services.sessions.membership("T0001", MENTEE, 1)
    upcoming = slot.occurrences(after=bot.clock.now(), limit=200)
    return [o.start for o in upcoming if o.start <= partnership.ends_at]


def test_mondays_and_thursdays_read_back_saved_and_told_on_each_clock(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="America/New_York", mentee_tz="America/Los_Angeles")
    form = open_form(bot, MENTEE, intro)
    # The form opened at once; Slack was asked for the zone and language only after.
    order = [c.method for c in bot.fake.calls if c.method in ("views.open", "views.update")]
    info = [c for c in bot.fake.calls_to("users.info") if c.params.get("include_locale")]
    assert order[-2:] == ["views.open", "views.update"] and info
    assert "America/Los_Angeles" in text_of(form)  # the form names the zone it reads in

    check = bot.slack.submit(
        form, user=MENTEE, values={"when": "Mondays and Thursdays at 3pm for 45 minutes"}
    )
    shown = text_of(check.json()["view"])
    assert "Every Monday and Thursday at 15:00 (your time, America/Los_Angeles), 45 minutes" in (
        shown
    )
    assert stamps(shown)[0] == datetime(2026, 3, 2, 23, tzinfo=UTC)  # first one: today 15:00 LA
    assert not bot.fake.uploads and bot.runtime.services.sessions.slot("T0001", 1) is None

    saved = save(bot, MENTEE, check)
    assert "Saved: every Monday and Thursday at 15:00 (your time), 45 minutes" in str(saved.json())
    told = last_dm(bot, MENTOR)["text"]  # New York reads its own clock, no other zone
    assert "every Monday and Thursday at 18:00 (your time), 45 minutes" in told
    assert "Los_Angeles" not in told and "15:00" not in told

    event, calendar = invite(bot)
    assert event["rrule"]["BYDAY"] == ["MO", "TH"] and event["rrule"]["FREQ"] == ["WEEKLY"]
    assert event.decoded("duration") == timedelta(minutes=45)
    assert str(event["dtstart"].params["TZID"]) == "America/Los_Angeles"
    description = str(event["description"])
    assert "every Monday and Thursday at 15:00 (America/Los_Angeles time)" in description
    assert calendar == bot_sessions(bot)  # what the bot reminds of is what calendars show
    comment = bot.fake.uploads[-1].initial_comment or ""
    assert "18:00 (your time)" in comment and "15:00 (your time)" in comment  # each their own

    def asked(person: str) -> list[datetime]:
        return [
            stamps(m["text"])[0] for m in dms(bot, person) if m["text"].startswith("Did you meet")
        ]

    # Monday's, then Thursday's. The session ends at 15:45 in Los Angeles (asked at once)
    # and 18:45 in New York: the mentor's "did you meet?" waits for their working morning.
    step_to(bot, datetime(2026, 3, 2, 23, 45, tzinfo=UTC))
    assert asked(MENTEE)[-1:] == [datetime(2026, 3, 2, 23, tzinfo=UTC)] and not asked(MENTOR)
    step_to(bot, datetime(2026, 3, 3, 14, 5, tzinfo=UTC))  # 09:05 in New York
    assert asked(MENTOR) == [datetime(2026, 3, 2, 23, tzinfo=UTC)]
    step_to(bot, datetime(2026, 3, 6, 14, 5, tzinfo=UTC))
    assert asked(MENTOR)[-1] == datetime(2026, 3, 5, 23, tzinfo=UTC)


def test_every_other_week_names_what_it_ignored_and_the_invite_says_it(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    check = say(bot, MENTEE, intro, "every other Tuesday at 3pm in the marketing room")
    shown = text_of(check.json()["view"])
    assert "Every other Tuesday at 15:00 (your time, Europe/London), 60 minutes" in shown
    assert "I ignored: _marketing room_" in shown
    save(bot, MENTEE, check)
    assert "every other Tuesday at 16:00 (your time)" in last_dm(bot, MENTOR)["text"]
    event, calendar = invite(bot)
    assert "Your mentoring session: every other Tuesday at 15:00 (Europe/London time)" in str(
        event["description"]
    )
    assert "weekly" not in str(event["description"]).lower()  # issue 22: not "weekly"
    assert event["rrule"]["INTERVAL"] == [2]
    assert calendar == bot_sessions(bot)
    assert calendar[-1] <= datetime(2027, 3, 2, 15, tzinfo=UTC)  # UNTIL: the term's end
    assert calendar[1] - calendar[0] == timedelta(weeks=2)


def test_the_first_monday_of_the_month_across_the_clock_change(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="America/New_York", mentee_tz="Europe/Berlin")
    check = say(bot, MENTEE, intro, "the first Monday of the month at 9")
    shown = text_of(check.json()["view"])
    assert "The first Monday of every month at 09:00 (your time, Europe/Berlin)" in shown
    save(bot, MENTEE, check)
    event, calendar = invite(bot)
    assert event["rrule"]["FREQ"] == ["MONTHLY"] and event["rrule"]["BYDAY"] == ["1MO"]
    assert calendar == bot_sessions(bot)
    assert calendar[:2] == [  # 09:00 CET in April is 07:00 UTC: Berlin's summer time
        datetime(2026, 4, 6, 7, tzinfo=UTC),
        datetime(2026, 5, 4, 7, tzinfo=UTC),
    ]
    assert "the first Monday of every month at 03:00 (your time)" in last_dm(bot, MENTOR)["text"]


def test_a_one_off_is_one_session(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    check = say(bot, MENTEE, intro, "tomorrow at 11am")
    assert "Once, on Tuesday 03 March at 11:00" in text_of(check.json()["view"])
    save(bot, MENTEE, check)
    event, calendar = invite(bot)
    assert "rrule" not in event and calendar == [datetime(2026, 3, 3, 11, tzinfo=UTC)]
    assert "one-off mentoring session" in str(event["description"])
    step_to(bot, datetime(2026, 3, 3, 12, 30, tzinfo=UTC))
    assert last_dm(bot, MENTEE)["text"].startswith("Did you meet")
    assert bot_sessions(bot) == []  # nothing after it


def test_a_german_slack_writes_german(bot: RunningBot) -> None:
    intro = pair_in(
        bot, mentor_tz="Europe/London", mentee_tz="Europe/Berlin", mentee_locale="de-DE"
    )
    check = say(bot, MENTEE, intro, "jeden zweiten Mittwoch um 10 Uhr")
    assert "Every other Wednesday at 10:00 (your time, Europe/Berlin)" in text_of(
        check.json()["view"]
    )
    save(bot, MENTEE, check)
    assert "every other Wednesday at 09:00 (your time)" in last_dm(bot, MENTOR)["text"]
    # The English speaker's Slack is in English: German words are not guessed at for them.
    reply = say(bot, MENTOR, intro, "jeden zweiten Mittwoch um 10 Uhr")
    assert reply.json()["response_action"] == "errors"


@pytest.mark.parametrize(
    ("phrase", "said"),
    [
        ("every 3 weeks on Tuesday at 3pm", "Every 3 weeks isn't offered in this program"),
        ("Tuesdays at 3pm for 30 minutes", "Sessions last 45 to 60 minutes, and you said 30"),
        ("blorp", "I need a day and a time"),
    ],
)
def test_a_refused_phrase_is_a_field_error_with_an_example(
    bot: RunningBot, phrase: str, said: str
) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    reply = say(bot, MENTEE, intro, phrase)
    answer = reply.json()
    assert answer["response_action"] == "errors"  # the modal stays open with what was typed
    assert said in answer["errors"]["when"] and "for example" in answer["errors"]["when"]
    assert not bot.fake.uploads


@pytest.mark.parametrize(
    "settings_overrides",
    [{"mentorbot_onboarding": False, "mentorbot_session_several_days": False}],
)
def test_a_program_of_one_day_a_week_says_so(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    reply = say(bot, MENTEE, intro, "Mondays and Thursdays at 8am")
    error = reply.json()["errors"]["when"]
    assert "on one day of the week" in error and '"Tuesdays at 3pm"' in error


def test_a_form_submitted_before_slack_answered_reads_the_known_zone(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    open_form(bot, MENTEE, intro)
    first = next(c for c in reversed(bot.fake.calls_to("views.open")))
    unfilled = dict(first.params["view"])  # as opened, before the zone was put in
    check = bot.slack.submit(unfilled, user=MENTEE, values={"when": "Tuesdays at 3pm"})
    assert "(your time, Europe/London)" in text_of(check.json()["view"])


@pytest.mark.parametrize(
    "rule",
    [
        None,
        {"tz": "Europe/London", "at": "25:00"},
        {"tz": "Europe/London", "at": "15:00", "first": "2026-03-03", "every": 1, "weekday": 1,
         "days": [], "ordinal": 7, "minutes": None},
        {"tz": "Europe/London", "at": "15:00", "first": "2026-03-03", "every": 3, "weekday": 1,
         "days": [], "ordinal": None, "minutes": None},
    ],
)  # fmt: skip
def test_a_crafted_check_saves_nothing_and_says_why(bot: RunningBot, rule: Any) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    check = say(bot, MENTEE, intro, "Tuesdays at 3pm").json()["view"]
    crafted = check | {"private_metadata": json.dumps({"partnership_id": 1, "rule": rule})}
    reply = bot.slack.submit(crafted, user=MENTEE, values={})
    assert reply.status == 200 and reply.json()["response_action"] == "update"
    assert ":warning:" in text_of(reply.json()["view"])
    assert bot.runtime.services.sessions.slot("T0001", 1) is None and not bot.fake.uploads


@pytest.mark.parametrize(
    "settings_overrides", [{"mentorbot_onboarding": False, "mentorbot_session_every_weeks": "1"}]
)
def test_the_pickers_offer_only_the_programs_rhythms(bot: RunningBot) -> None:
    intro = pair_in(bot, mentor_tz="Europe/Berlin", mentee_tz="Europe/London")
    form = open_form(bot, MENTEE, intro)
    repeat = next(b for b in form["blocks"] if b.get("block_id") == "repeat")["element"]
    assert [o["value"] for o in repeat["options"]] == ["1"]
    every_other = {"text": {"type": "plain_text", "text": "Every other week"}, "value": "2"}
    repeat["options"].append(every_other)  # a crafted client offers it anyway
    crafted = {"day": "1", "time": "15:00", "repeat": "2", "length": "60"}
    error = bot.slack.submit(form, user=MENTEE, values=crafted).json()["errors"]["when"]
    assert "Every other week isn't offered in this program" in error
    assert 'for example "Tuesdays at 3pm"' in error
