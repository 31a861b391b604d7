"""The calendar invite (.ics) for a pair's session: one event with its recurrence rule.

The event keeps the author's time zone (TZID) so calendar apps move it with daylight saving
the same way the bot does; skipped weeks are EXDATEs and moved ones are their own events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from bot.model.sessions import SessionSlot
from bot.when import local_to_utc, zone


@dataclass(frozen=True)
class Attendee:
    name: str
    address: str  # mailto:... when Slack shares the email, else a urn naming the Slack user


def session_invite(
    slot: SessionSlot,
    *,
    attendees: list[Attendee],
    title: str,
    description: str,
    stamp: datetime,
    until: datetime | None = None,
) -> bytes:
    """The series as the bot keeps it: the rule's own RRULE (weekly, several days, every N
    weeks or monthly), ending at ``until`` (the term's end) like the bot's reminders do."""
    tz = zone(slot.tz)
    calendar = Calendar()
    calendar.add("prodid", "-//Mentorbot//Mentoring sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    uid = f"mentorbot-{slot.team_id}-{slot.partnership_id}@mentorbot"
    start = local_to_utc(slot.first_date, slot.wall_clock, slot.tz).astimezone(tz)

    def event(at: datetime, *, recurrence_id: datetime | None = None) -> Event:
        item = Event()
        item.add("uid", uid)
        item.add("sequence", slot.version)
        item.add("dtstamp", stamp)
        item.add("dtstart", at)
        item.add("duration", timedelta(minutes=slot.duration_minutes))
        item.add("summary", title)
        item.add("description", description)
        for person in attendees:
            address = vCalAddress(person.address)
            address.params["cn"] = vText(person.name)
            address.params["role"] = vText("REQ-PARTICIPANT")
            item.add("attendee", address, encode=False)
        if recurrence_id is not None:
            item.add("recurrence-id", recurrence_id)
        return item

    main = event(start)
    if slot.every_weeks:
        main.add("rrule", vRecur.from_ical(slot.rule().rrule(until=until)))
        for skipped in slot.skipped:
            day = datetime.fromisoformat(skipped).date()
            main.add("exdate", local_to_utc(day, slot.wall_clock, slot.tz).astimezone(tz))
    calendar.add_component(main)
    for original, moved_to in sorted(slot.moved.items()):
        day = datetime.fromisoformat(original).date()
        calendar.add_component(
            event(
                datetime.fromisoformat(moved_to).astimezone(tz),
                recurrence_id=local_to_utc(day, slot.wall_clock, slot.tz).astimezone(tz),
            )
        )
    calendar.add_missing_timezones()  # a VTIMEZONE, so every calendar app agrees on DST
    return bytes(calendar.to_ical())
