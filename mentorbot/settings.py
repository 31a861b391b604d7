"""Settings from the environment (and a ``.env`` file), read once at start-up and passed down."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.model.languages import known_languages
from bot.model.partnership import DEFAULT_FOCUS_AREAS
from bot.model.programs import ladder_of
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule, ProgramRules, normalize_org
from storage.crypto import Cipher, CipherError

REPORT_SCHEDULES = ("off", "weekly", "monthly")
CommaList = Annotated[list[str], NoDecode]


def _split(value: Any, separator: str = ",") -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(separator) if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: str | None = Field(default=None, description="Bot token, xoxb-...")
    slack_signing_secret: str | None = Field(
        default=None, description="Verifies that requests come from Slack (Basic Information)."
    )
    slack_app_token: str | None = Field(
        default=None, description="App-level token (xapp-...): when set, Socket Mode is used."
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Web API base URL: GovSlack and tests point it elsewhere.",
    )
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP mode listens here.")
    host: str = Field(default="0.0.0.0", description="HTTP mode binds this address.")  # noqa: S104
    database_url: str = Field(
        default="sqlite:///mentorbot.db",
        description="SQLAlchemy URL; a SQLite file in the working directory by default.",
    )
    mentorbot_coordinators: CommaList = Field(
        default_factory=list,
        description="Coordinators' user IDs, T012AB:U012CD (the workspace first). A bare "
        "U012CD is a coordinator of the bot token's own workspace; installed by OAuth into "
        "several workspaces, it is refused.",
    )
    mentorbot_coordinator_group: str | None = Field(
        default=None,
        description="A Slack user group (S0123ABC) whose members are coordinators too.",
    )
    mentorbot_report_schedule: str = Field(
        default="monthly",
        description="Coordinators get the program report on the first working day of each "
        "month (monthly), each Monday (weekly), or only when they ask (off); at the start of "
        "the working day in MENTORBOT_DEFAULT_TZ.",
    )
    mentorbot_program_channel: str | None = Field(
        default=None, description="Channel ID for announcements and celebrations."
    )
    mentorbot_focus_areas: CommaList = Field(
        default_factory=lambda: list(DEFAULT_FOCUS_AREAS),
        description="The program's focus areas, comma-separated.",
    )
    mentorbot_session_every_weeks: Annotated[list[int], NoDecode] = Field(
        default_factory=lambda: [1, 2, 3, 4],
        description="How many weeks apart sessions may repeat, comma-separated (1: weekly).",
    )
    mentorbot_session_several_days: bool = Field(
        default=True, description='Sessions on several days a week ("Mondays and Thursdays").'
    )
    mentorbot_session_monthly: bool = Field(
        default=True, description='Monthly sessions ("the first Monday of each month").'
    )
    mentorbot_term_days: int = Field(default=365, ge=7, le=3650, description="Program term.")
    mentorbot_cross_company_required: bool = Field(
        default=False, description="Every mentor comes from another organization than the mentee."
    )
    mentorbot_allow_weak_fit: bool = Field(
        default=False,
        description="Also suggest mentors who share no focus area or no working hours with the "
        "mentee (by default such a mentor is not worth the mentee's time).",
    )
    mentorbot_allow_any_language: bool = Field(
        default=False,
        description="Also suggest mentors who speak none of the languages the mentee named.",
    )
    mentorbot_languages: CommaList = Field(
        default_factory=lambda: ["English"],
        description="The languages of whoever named none (mentors and mentees alike), "
        "comma-separated; also what the ask form starts with.",
    )
    mentorbot_competitors: CommaList = Field(
        default_factory=list,
        description="Rival organizations that never meet: 'Acme|Globex, Initech|Umbrella'.",
    )
    mentorbot_request_reminder_days: float = Field(default=3, gt=0, le=60)
    mentorbot_request_expiry_days: float = Field(
        default=2, gt=0, le=60, description="Days after the reminder before the next mentor."
    )
    mentorbot_max_capacity: int = Field(default=5, ge=1, le=20)
    mentorbot_dispatch_interval_seconds: int = Field(default=30, ge=1, le=3600)
    mentorbot_outbox_lease_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="Seconds a claimed outbox batch is held unless renewed; what a dead "
        "worker's batch waits. Longer than one Slack call can take.",
    )
    mentorbot_outbox_sends_in_flight: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Slack calls one dispatcher has in flight at once (never two to one "
        "conversation); 1 sends one message at a time.",
    )
    mentorbot_outbox_batch_size: int = Field(
        default=500,
        ge=1,
        le=5000,
        description="Outbox rows one dispatcher claims (and settles) per transaction: fewer "
        "commits per message; what a stopped replica holds until its lease runs out.",
    )
    mentorbot_onboarding: bool = Field(
        default=True,
        description="Send new pairs the welcome, first-session agenda and monthly topics.",
    )
    log_level: str = Field(default="INFO")
    log_format: str = Field(
        default="text", pattern="^(text|json)$", description="text, or json for log shippers."
    )
    # production (issue 10): OAuth installs, encryption at rest, retention, serving
    slack_client_id: str | None = Field(
        default=None, description="With SLACK_CLIENT_SECRET: install by OAuth into workspaces."
    )
    slack_client_secret: str | None = Field(default=None, description="OAuth client secret.")
    mentorbot_encryption_key: str | None = Field(
        default=None,
        description="Fernet key(s), comma-separated (first encrypts): tokens and private text.",
    )
    mentorbot_retention_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="Days an uninstalled workspace's data, or a deactivated person's, is kept.",
    )
    mentorbot_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=64 * 1024,
        le=64 * 1024 * 1024,
        description="Bigger requests to /slack/events get 413 before they are read: Slack's "
        "largest (a full modal's submission) are tens of kilobytes, and a body read whole "
        "stays in a worker's memory.",
    )
    web_concurrency: int = Field(
        default=2, ge=1, le=64, description="`mentorbot serve` worker processes."
    )
    mentorbot_pulse_every_days: int = Field(
        default=14, ge=1, le=90, description="Days between progress-check pulses."
    )
    mentorbot_quiet_ladder_weeks: str = Field(
        default="2,3,4,8",
        description="Weeks without a session met before the mentee is nudged, then both, then "
        "the coordinators are told, then both are asked to pause, continue or close.",
    )
    mentorbot_workday_start_hour: int = Field(
        default=9, ge=0, le=23, description="Prompts wait until this hour, in each person's zone."
    )
    mentorbot_workday_end_hour: int = Field(
        default=18, ge=1, le=24, description="No prompts from this hour on, in each person's zone."
    )
    mentorbot_weekends_off: bool = Field(default=True, description="No prompts on weekends.")
    mentorbot_term_extension_days: int = Field(
        default=90, ge=0, le=365, description="How long a pair may extend its term (0: never)."
    )
    mentorbot_default_tz: str = Field(
        default="UTC", description="Time zone for people whose zone is unknown (coordinators)."
    )

    @field_validator("mentorbot_coordinators", "mentorbot_focus_areas", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("mentorbot_session_every_weeks", mode="before")
    @classmethod
    def _weeks_apart(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("mentorbot_session_every_weeks")
    @classmethod
    def _cadences(cls, value: list[int]) -> list[int]:
        if not value or any(not 1 <= weeks <= 8 for weeks in value):
            raise ValueError("give the weeks apart sessions may repeat, 1 to 8, like 1,2")
        return sorted(set(value))

    @field_validator("mentorbot_competitors", mode="before")
    @classmethod
    def _competitors(cls, value: Any) -> Any:
        pairs = _split(value)
        if isinstance(pairs, list):
            for pair in pairs:
                if len([p for p in str(pair).split("|") if p.strip()]) != 2:
                    raise ValueError(f"'{pair}' is not a pair: write 'Acme|Globex'")
        return pairs

    @field_validator("mentorbot_coordinators")
    @classmethod
    def _user_ids(cls, value: list[str]) -> list[str]:
        """A user ID counts in every workspace; ``T012AB:U012CD`` only in that workspace."""

        def ok(entry: str) -> bool:
            team, colon, user = entry.rpartition(":")
            team_ok = not colon or (team[:1] in ("T", "E") and team.isalnum())
            return team_ok and user[:1] in ("U", "W") and user.isalnum()

        bad = [v for v in value if not ok(v)]
        if bad:
            raise ValueError(
                "not Slack user IDs (like U012ABCDEF, or T012AB:U012ABCDEF for one "
                f"workspace): {', '.join(bad)}"
            )
        return value

    @field_validator("mentorbot_coordinator_group")
    @classmethod
    def _group_id(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if value[:1] != "S" or not value.isalnum() or value.upper() != value or len(value) < 3:
            raise ValueError(
                "not a Slack user group ID (like S0123ABC): find it in the group's profile, "
                "under the three dots, 'Copy group ID'"
            )
        return value

    @field_validator("mentorbot_report_schedule", mode="before")
    @classmethod
    def _schedule(cls, value: Any) -> Any:
        chosen = str(value).strip().lower()
        if chosen not in REPORT_SCHEDULES:
            raise ValueError(f"choose one of {', '.join(REPORT_SCHEDULES)}")
        return chosen

    @field_validator("mentorbot_focus_areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one focus area")
        too_long = [v for v in value if len(v) > 75]
        if too_long:
            raise ValueError(f"focus areas must be 75 characters or fewer: {too_long[0]}")
        return value

    @field_validator("mentorbot_quiet_ladder_weeks")
    @classmethod
    def _ladder(cls, value: str) -> str:
        if ladder_of([int(w) * 7 for w in value.split(",") if w.strip().isdigit()]) is None:
            raise ValueError("four whole numbers of weeks, each later: 2,3,4,8")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local test server)")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _workday(self) -> Settings:
        if self.mentorbot_workday_start_hour >= self.mentorbot_workday_end_hour:
            raise ValueError(
                "MENTORBOT_WORKDAY_START_HOUR must be before MENTORBOT_WORKDAY_END_HOUR"
            )
        return self

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def oauth_mode(self) -> bool:
        """A distributable app: installed by OAuth, one bot token per workspace in the database."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    @property
    def wants_oauth(self) -> bool:
        """OAuth credentials and no single bot token: meant to be installed into workspaces."""
        return bool((self.slack_client_id or self.slack_client_secret) and not self.slack_bot_token)

    def missing_for_slack(self) -> list[str]:
        """What running against Slack still needs, as messages naming the variable to set."""
        if self.wants_oauth:
            return self.missing_for_oauth()
        problems = []
        if not self.slack_bot_token:
            problems.append(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from "
                "your app's OAuth & Permissions page."
            )
        elif not self.slack_bot_token.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN should start with xoxb- (the bot token).")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            problems.append(
                "SLACK_APP_TOKEN should start with xapp- (an app-level token with "
                "connections:write, from Basic Information)."
            )
        if not self.socket_mode and not self.slack_signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your app's "
                "Basic Information page (or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        return problems

    def missing_for_oauth(self) -> list[str]:
        """What installing into workspaces by OAuth needs: both client credentials, HTTP
        (the install pages are web pages), and a key to seal each workspace's token."""
        problems = []
        if not self.slack_client_id:
            problems.append(
                "SLACK_CLIENT_ID is not set: copy the Client ID from your app's Basic "
                "Information page (App Credentials)."
            )
        if not self.slack_client_secret:
            problems.append(
                "SLACK_CLIENT_SECRET is not set: copy the Client Secret from your app's Basic "
                "Information page (App Credentials)."
            )
        if not self.slack_signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your app's "
                "Basic Information page."
            )
        if self.slack_app_token:
            problems.append(
                "SLACK_APP_TOKEN is set: installing by OAuth serves its pages over HTTP, so "
                "unset SLACK_APP_TOKEN (and turn Socket Mode off in the app settings)."
            )
        bare = [c for c in self.mentorbot_coordinators if ":" not in c]
        if bare:
            problems.append(
                f"MENTORBOT_COORDINATORS: {', '.join(bare)} names no workspace, and installed "
                "into several workspaces the bot would tell that person about every "
                "workspace's people: write each coordinator as T012AB:U012CD (the workspace "
                "ID, a colon, the user ID)."
            )
        if not self.mentorbot_encryption_key:
            problems.append(
                "MENTORBOT_ENCRYPTION_KEY is not set: each workspace's bot token is kept "
                'encrypted with it. Make one with `python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"`.'
            )
        else:
            try:
                Cipher(self.mentorbot_encryption_key)
            except CipherError as error:
                problems.append(str(error))
        return problems

    def program_rules(self) -> ProgramRules:
        competitors = frozenset(
            frozenset(normalize_org(side) for side in pair.split("|"))
            for pair in self.mentorbot_competitors
        )
        return ProgramRules(
            focus_areas=tuple(self.mentorbot_focus_areas),
            term=timedelta(days=self.mentorbot_term_days),
            cross_company=CrossCompanyRule(
                required=self.mentorbot_cross_company_required, competitors=competitors
            ),
            fit=FitRule(
                weak_fit=self.mentorbot_allow_weak_fit,
                any_language=self.mentorbot_allow_any_language,
                default_languages=tuple(known_languages(self.mentorbot_languages))
                or DEFAULT_FIT.default_languages,
            ),
            request_reminder_after=timedelta(days=self.mentorbot_request_reminder_days),
            request_expires_after_reminder=timedelta(days=self.mentorbot_request_expiry_days),
            coordinators=tuple(self.mentorbot_coordinators),
            max_capacity=self.mentorbot_max_capacity,
            onboarding=self.mentorbot_onboarding,
            pulse_every=timedelta(days=self.mentorbot_pulse_every_days),
            quiet_ladder=ladder_of(
                [int(w) * 7 for w in self.mentorbot_quiet_ladder_weeks.split(",")]
            )
            or (14, 21, 28, 56),
            term_extension=timedelta(days=self.mentorbot_term_extension_days),
            workday_start_hour=self.mentorbot_workday_start_hour,
            workday_end_hour=self.mentorbot_workday_end_hour,
            weekends_off=self.mentorbot_weekends_off,
            default_tz=self.mentorbot_default_tz,
            session_every_weeks=tuple(self.mentorbot_session_every_weeks),
            several_days_a_week=self.mentorbot_session_several_days,
            monthly_sessions=self.mentorbot_session_monthly,
        )


class SettingsError(Exception):
    """Settings that can't work, with one line per problem saying how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError([_describe(e) for e in error.errors()]) from None


def _describe(error: Any) -> str:
    name = str(error["loc"][0]).upper() if error.get("loc") else "SETTINGS"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    value = error.get("input")
    secret = "TOKEN" in name or "SECRET" in name
    short = isinstance(value, str | int | float) and len(str(value)) < 80
    shown = f" (got {value!r})" if short and not secret else ""
    return f"{name}: {message}{shown}"
