"""The sandbox's people, in two companies, acting on the bot the way Slack's client acts for them.

Each company is a Slack workspace of its own (``Company``: Acme hosts the sample program,
Globex joins it), with the bot installed into both by OAuth; a person belongs to one, so their
requests carry their workspace's ``team_id`` and the bot answers them with that workspace's
token. Each act becomes the request Slack would send (a slash command, a block_actions or
view_submission payload, an Events API event), signed and posted to the bot's
``/slack/events``; what the bot answers in the HTTP response (an ephemeral reply, modal
errors, ``response_action``) is applied to the local Slack as Slack applies it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sandbox.clock import SandboxClock
from sandbox.edge import EdgeReply, signed_post
from sandbox.render import Reader
from sandbox.slack import APP_ID, BOT_USER_ID, LocalSlack
from sandbox.state import Value, action, element_at, fill

__all__ = [
    "ACME",
    "ACME_PEOPLE",
    "COMPANIES",
    "GLOBEX",
    "GLOBEX_PEOPLE",
    "PROGRAM_CHANNEL",
    "SAMPLE_PEOPLE",
    "Company",
    "Person",
    "SandboxError",
    "Workspace",
]

Role = Literal["coordinator", "mentor", "mentee"]


@dataclass(frozen=True)
class Company:
    """A Slack workspace of the sandbox: the bot is installed into each, with its own token."""

    team_id: str
    name: str
    domain: str
    channel: tuple[str, str]  # its program channel: ID, name


ACME = Company("T0ACME", "Acme", "acme", ("C0PROGRAM", "mentoring-program"))
GLOBEX = Company("T0GLOBEX", "Globex", "globex", ("C0GLOBEXMENTOR", "globex-mentoring"))
COMPANIES: tuple[Company, ...] = (ACME, GLOBEX)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: Role
    tz: str
    title: str
    team: str = ACME.team_id  # their own workspace


# Mentors and mentees spread over time zones, so matching and "in your time" show.
ACME_PEOPLE: tuple[Person, ...] = (
    Person("U0COORD", "Priya Raman", "coordinator", "Europe/London", "Program coordinator"),
    Person("U0MENTOR1", "Jordan Okafor", "mentor", "America/New_York", "Engineering director"),
    Person("U0MENTOR2", "Sofia Alvarez", "mentor", "America/Mexico_City", "Head of product"),
    Person("U0MENTEE1", "Maya Chen", "mentee", "America/Los_Angeles", "Team lead"),
    Person("U0MENTEE2", "Tomás Silva", "mentee", "Europe/Lisbon", "Software engineer"),
    Person("U0MENTOR3", "Kenji Watanabe", "mentor", "Asia/Kolkata", "Staff engineer"),
    Person("U0MENTOR4", "Rafael Costa", "mentor", "America/Sao_Paulo", "Engineering manager"),
    Person("U0MENTEE3", "Amara Nwosu", "mentee", "Africa/Lagos", "Data analyst"),
    Person("U0MENTEE4", "Lena Fischer", "mentee", "Europe/Berlin", "New team lead"),
)
# The second company, in zones Acme has nobody in: its people come to Acme's shared program.
_G = GLOBEX.team_id
GLOBEX_PEOPLE: tuple[Person, ...] = (
    Person("U0GCOORD", "Ingrid Larsen", "coordinator", "Europe/Stockholm", "People partner", _G),
    Person("U0GMENTOR1", "Wei Ling Tan", "mentor", "Asia/Singapore", "VP of engineering", _G),
    Person("U0GMENTOR2", "Marcus Reed", "mentor", "America/Chicago", "Design director", _G),
    Person("U0GMENTEE1", "Aisha Mwangi", "mentee", "Africa/Nairobi", "Product manager", _G),
    Person("U0GMENTEE2", "Noah Williams", "mentee", "Australia/Sydney", "Junior developer", _G),
)
SAMPLE_PEOPLE: tuple[Person, ...] = ACME_PEOPLE + GLOBEX_PEOPLE
PROGRAM_CHANNEL = ACME.channel
SIGNING_SECRET_BYTES = 16


class SandboxError(ValueError):
    """A request from the page that cannot be done (an unknown person, a closed modal)."""


@dataclass(frozen=True)
class Conversation:
    id: str
    name: str
    kind: Literal["channel", "dm", "group"]


class Workspace:
    """The people of every company, their program channels, and what they do;
    ``run_until`` moves the bot's time (one clock for all: the bot is one process)."""

    def __init__(
        self,
        *,
        slack: LocalSlack,
        bot_url: str,
        signing_secret: str,
        clock: SandboxClock,
        run_until: Callable[[datetime], object],
        people: tuple[Person, ...] = SAMPLE_PEOPLE,
        companies: tuple[Company, ...] = COMPANIES,
        forget: Callable[[], object] | None = None,
    ) -> None:
        self.slack = slack
        self.clock = clock
        self.people = people
        self.companies = tuple(c for c in companies if any(p.team == c.team_id for p in people))
        self.channel_id, self.channel_name = self.companies[0].channel  # the host's
        self._events_url = bot_url.rstrip("/") + "/slack/events"
        self._signing_secret = signing_secret
        self._run_until = run_until
        self._ids = count(1)
        self._forget = forget
        self.preparing = False  # true while the sample program is being set up
        for person in people:
            slack.add_user(
                person.id,
                name=person.name.split()[0].lower(),
                real_name=person.name,
                tz=person.tz,
                team_id=person.team,
            )

    # -- who is who ------------------------------------------------------------------------------

    def person(self, user_id: str) -> Person:
        for person in self.people:
            if person.id == user_id:
                return person
        raise SandboxError(f"no one called {user_id} in the sandbox")

    def company(self, user_id: str) -> Company:
        """The workspace ``user_id`` belongs to: their requests come from it, and the bot
        answers them with its token."""
        team = self.person(user_id).team
        return next(c for c in self.companies if c.team_id == team)

    def names(self, user_id: str | None = None) -> dict[str, str]:
        """Display names: everyone's (people of another company are shown by Slack too, in
        a shared program), and the channels of ``user_id``'s own workspace only: another
        company's channel stays an ID to them, as it is to Slack."""
        names = {p.id: p.name for p in self.people}
        for company in self.companies:
            if user_id is None or company.team_id == self.person(user_id).team:
                names[company.channel[0]] = company.channel[1]
        names[BOT_USER_ID] = "Mentorbot"
        return names

    def reader(self, user_id: str) -> Reader:
        return Reader(
            tz=ZoneInfo(self.person(user_id).tz), now=self.clock.now(), names=self.names(user_id)
        )

    def conversations(self, user_id: str) -> list[Conversation]:
        """What the person's sidebar lists: their company's program channel, their DM with
        the bot, group DMs."""
        person = self.person(user_id)
        channel_id, channel_name = self.company(user_id).channel
        found = [
            Conversation(channel_id, channel_name, "channel"),
            Conversation(self.slack.dm_channel(person.id), "Mentorbot", "dm"),
        ]
        for channel, members in sorted(self.slack.group_conversations(user_id).items()):
            others = [self.names().get(m, m).split()[0] for m in members if m != user_id]
            found.append(Conversation(channel, ", ".join(others), "group"))
        return found

    def _channel_name(self, user_id: str, channel: str) -> str:
        for conversation in self.conversations(user_id):
            if conversation.id == channel:
                return conversation.name
        raise SandboxError(f"{channel} is not one of {user_id}'s conversations")

    # -- Slack's side of the edge -----------------------------------------------------------------

    def _post(self, body: str, content_type: str) -> EdgeReply:
        return signed_post(
            self._events_url,
            body,
            signing_secret=self._signing_secret,
            content_type=content_type,
        )

    def _payload(self, payload: dict[str, Any]) -> EdgeReply:
        return self._post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def _user(self, user_id: str) -> dict[str, str]:
        person = self.person(user_id)
        username = person.name.split()[0].lower()
        return {"id": user_id, "username": username, "name": username, "team_id": person.team}

    def _team(self, user_id: str) -> dict[str, str]:
        company = self.company(user_id)
        return {"id": company.team_id, "domain": company.domain}

    # -- what people do ---------------------------------------------------------------------------

    def command(self, user_id: str, channel: str, text: str) -> str | None:
        """``user_id`` types ``text`` (``/mentor ask``) in ``channel``; returns a problem, if any.

        The bot's immediate answer (in the HTTP response) shows as an ephemeral message, as
        Slack shows it; later answers come through the response_url or the Web API.
        """
        words = text.strip().split(maxsplit=1)
        if not words or not words[0].startswith("/"):
            return "Type a slash command, like /mentor help"
        if words[0] != "/mentor":
            return f"{words[0]} is not a command here: the bot's command is /mentor"
        name = self._channel_name(user_id, channel)
        reply = self._post(
            urlencode(
                {
                    "token": "sandbox-verification-token",
                    "team_id": self.company(user_id).team_id,
                    "team_domain": self.company(user_id).domain,
                    "channel_id": channel,
                    "channel_name": name,
                    "user_id": user_id,
                    "user_name": self._user(user_id)["username"],
                    "command": "/mentor",
                    "text": words[1] if len(words) > 1 else "",
                    "api_app_id": APP_ID,
                    "is_enterprise_install": "false",
                    "response_url": self.slack.response_url_for(user=user_id, channel=channel),
                    "trigger_id": self.slack.issue_trigger(user_id),
                }
            ),
            "application/x-www-form-urlencoded",
        )
        if reply.status != 200:
            self.slack.post_ephemeral(
                channel=channel,
                user=user_id,
                text=f'/mentor failed with the error "http_{reply.status}"',
            )
            return None
        answer = _json_or_none(reply)
        if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
            self.slack.post_ephemeral(
                channel=channel,
                user=user_id,
                text=str(answer.get("text") or ""),
                blocks=answer.get("blocks"),
            )
        return None

    def act(
        self,
        user_id: str,
        *,
        block_id: str,
        action_id: str,
        value: Value = None,
        channel: str | None = None,
        ts: str | None = None,
        view_id: str | None = None,
        values: dict[str, Value] | None = None,
    ) -> str | None:
        """A click or pick on an element of a message (``channel`` + ``ts``) or a view."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": "sandbox-verification-token",
            "trigger_id": self.slack.issue_trigger(user_id),
            "team": self._team(user_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }
        tz = ZoneInfo(self.person(user_id).tz)
        if view_id is not None:
            view = self.slack.view(view_id)
            if view is None:
                raise SandboxError("that view is gone")
            view["state"] = {"values": fill(view, values or {}, tz=tz)}
            payload.update(container={"type": "view", "view_id": view_id}, view=view)
            blocks = view.get("blocks")
        else:
            if channel is None or ts is None:
                raise SandboxError("a click needs the message's channel and ts, or a view")
            message, ephemeral = self._message(user_id, channel, ts)
            payload.update(
                container={
                    "type": "message",
                    "message_ts": ts,
                    "channel_id": channel,
                    "is_ephemeral": ephemeral,
                },
                channel={"id": channel, "name": self._channel_name(user_id, channel)},
                message=message,
                state={"values": {}},
                response_url=self.slack.response_url_for(
                    user=user_id, channel=channel, message_ts=None if ephemeral else ts
                ),
            )
            blocks = message.get("blocks")
        found = element_at(blocks, block_id, action_id)
        if found is None:
            raise SandboxError(f"no {action_id} element in block {block_id}")
        _, element = found
        payload["actions"] = [action(element, block_id=block_id, value=value, tz=tz)]
        reply = self._payload(payload)
        return None if reply.status == 200 else f"The bot answered HTTP {reply.status}"

    def _message(self, user_id: str, channel: str, ts: str) -> tuple[dict[str, Any], bool]:
        for message in self.slack.messages(channel):
            if message["ts"] == ts:
                return message, False
        for message in self.slack.ephemerals(user_id, channel):
            if message["ts"] == ts:
                return message, True
        raise SandboxError("that message is gone")

    def submit(self, user_id: str, view_id: str, values: dict[str, Value]) -> dict[str, Any]:
        """Press a modal's submit button: ``{"errors": {block_id: message}}`` when the bot
        refuses a field, ``{"problems": [...]}`` when Slack would refuse its answer, else ``{}``.
        """
        view = self._open_modal(user_id, view_id)
        submitted = view | {
            "state": {"values": fill(view, values, tz=ZoneInfo(self.person(user_id).tz))}
        }
        reply = self._payload(
            {
                "type": "view_submission",
                "team": self._team(user_id),
                "user": self._user(user_id),
                "api_app_id": APP_ID,
                "token": "sandbox-verification-token",
                "trigger_id": self.slack.issue_trigger(user_id),
                "view": submitted,
                "response_urls": [],
                "is_enterprise_install": False,
            }
        )
        if reply.status != 200:
            return {"problems": [f"We had some trouble connecting (HTTP {reply.status})."]}
        answer = _json_or_none(reply) or {}
        if not isinstance(answer, dict):
            return {"problems": ["The bot's answer was not a JSON object."]}
        response_action = answer.get("response_action")
        if response_action == "errors":
            return {"errors": dict(answer.get("errors") or {})}
        if response_action == "update":
            problems = self.slack.replace_modal(user_id, view_id, dict(answer.get("view") or {}))
            return {"problems": problems} if problems else {}
        if response_action == "push":
            problems = self.slack.push_modal(user_id, dict(answer.get("view") or {}))
            return {"problems": problems} if problems else {}
        self.slack.close_modal(user_id, everything=response_action == "clear")
        return {}

    def close(self, user_id: str, view_id: str) -> None:
        """Close the top modal; the bot hears of it when the view asked (notify_on_close)."""
        view = self._open_modal(user_id, view_id)
        self.slack.close_modal(user_id, everything=bool(view.get("clear_on_close")))
        if view.get("notify_on_close"):
            self._payload(
                {
                    "type": "view_closed",
                    "team": self._team(user_id),
                    "user": self._user(user_id),
                    "api_app_id": APP_ID,
                    "token": "sandbox-verification-token",
                    "view": view,
                    "is_cleared": False,
                    "is_enterprise_install": False,
                }
            )

    def _open_modal(self, user_id: str, view_id: str) -> dict[str, Any]:
        stack = self.slack.modal_stack(user_id)
        if not stack or stack[-1]["id"] != view_id:
            raise SandboxError("that modal is no longer open")
        return stack[-1]

    def say(self, user_id: str, channel: str, text: str) -> str | None:
        """``user_id`` writes ``text`` in their DM with the bot: Slack sends ``message.im``."""
        if channel != self.slack.dm_channel(user_id):
            return "Write to the bot in your DM with it (Mentorbot); elsewhere type /mentor"
        if not text.strip():
            return "Type a message first"
        message = self.slack.post_as_person(channel=channel, user=user_id, text=text)
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "im",
            "user": user_id,
            "text": text,
            "ts": message["ts"],
            "event_ts": message["ts"],
        }
        reply = self._event(event, user_id)
        return None if reply.status == 200 else f"The bot answered HTTP {reply.status}"

    def start_over(self) -> None:
        """An empty program: the bot forgets everything, Slack every conversation."""
        if self._forget is None:
            raise SandboxError("this sandbox can't start over")
        self._forget()
        self.slack.forget_conversations()

    def open_home(self, user_id: str) -> None:
        """The person opens the bot's App Home: Slack sends ``app_home_opened``."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.slack.dm_channel(user_id),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        home = self.slack.home_view(user_id)
        if home is not None:
            event["view"] = home
        self._event(event, user_id)

    def _event(self, event: dict[str, Any], user_id: str) -> EdgeReply:
        """An Events API callback carrying ``event`` (of ``user_id``, in their workspace), as
        Slack wraps and signs it."""
        team_id = self.company(user_id).team_id
        return self._post(
            json.dumps(
                {
                    "token": "sandbox-verification-token",
                    "team_id": team_id,
                    "api_app_id": APP_ID,
                    "event": event,
                    "type": "event_callback",
                    "event_id": f"EvSANDBOX{next(self._ids):06d}{int(time.time())}",
                    "event_time": int(time.time()),
                    "authorizations": [
                        {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}
                    ],
                }
            ),
            "application/json",
        )

    # -- time -------------------------------------------------------------------------------------

    def advance(self, delta: timedelta) -> datetime:
        """Move time on by ``delta``, delivering everything that falls due on the way."""
        if delta <= timedelta(0):
            raise SandboxError("time only moves forward here")
        target = self.clock.now() + delta
        self._run_until(target)
        return self.clock.now()

    def run_until(self, target: datetime) -> datetime:
        """Move time to ``target`` (if later), delivering what falls due on the way."""
        self._run_until(max(target, self.clock.now()))
        return self.clock.now()

    def settle(self) -> None:
        """Deliver what is due now: the bot's answers to an act, before the next act."""
        self._run_until(self.clock.now())

    def next_weekday(self, user_id: str, *, weekday: int = 0, hour: int = 9) -> datetime:
        """The next ``weekday`` (0 is Monday) at ``hour``:00 in the person's time zone."""
        local = self.clock.now().astimezone(ZoneInfo(self.person(user_id).tz))
        candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        candidate += timedelta(days=(weekday - local.weekday()) % 7)
        if candidate <= local:
            candidate += timedelta(days=7)
        return candidate

    def advance_to_next(self, user_id: str, *, weekday: int = 0, hour: int = 9) -> datetime:
        target = self.next_weekday(user_id, weekday=weekday, hour=hour)
        self._run_until(target)
        return self.clock.now()


def _json_or_none(reply: EdgeReply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None
