"""What each kind of outgoing message looks like in Slack: its renderer (Block Kit from its
typed payload), the kinds that are files or steps rather than one message, and the
``chat.postMessage`` arguments and names across workspaces both ways of sending share
(``handlers.messenger`` one call at a time, ``handlers.posting`` several in flight).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from bot.model.kinds import Kind
from bot.model.messages import PairPrompt, Payload
from bot.model.messages.announcements import AnnouncementCopy, AnnouncementDone
from bot.model.messages.capacity import (
    CapacityDigest,
    NewMentorQuestion,
    RequestsResumed,
    StayOpen,
    StillWaitlisted,
)
from bot.model.messages.closing import ExitNote, ExitSurvey
from bot.model.messages.coordination import (
    CheckIn,
    CohortFailed,
    CohortPlanning,
    CohortReady,
    ProgramReport,
)
from bot.model.messages.journal import Celebration, ShoutOut
from bot.model.messages.matching import (
    CoordinatorWaitlist,
    Introduction,
    MentorSuggestions,
    RequestExpired,
    RequestToMentor,
    Waitlisted,
)
from bot.model.messages.pair_channels import PairChannelFallback, PairChannelWelcome
from bot.model.messages.people import (
    OnboardingMessage,
    PartnerLeft,
    ProgramInvite,
    ProgramMembersChanged,
    SharedDmNote,
)
from bot.model.messages.rhythm import (
    AtRisk,
    CoordinatorEnded,
    CoordinatorQuietDecision,
    FitQuestion,
    GoalCheck,
    PartnershipEnded,
    Pulse,
    QuietDecision,
    QuietNudge,
    TermNotice,
    YearInNumbers,
)
from bot.model.messages.sessions import (
    SessionChanged,
    SessionCheck,
    SessionReminder,
    SessionSet,
)
from bot.model.outbox import OutgoingMessage
from handlers.announcements import blocks as announcement_blocks
from handlers.closing import blocks as closing_blocks
from handlers.conversation import blocks as conversation_blocks
from handlers.coordination import blocks as coordination_blocks
from handlers.coordination import report_blocks
from handlers.journal import blocks as journal_blocks
from handlers.kit import blocks
from handlers.kit.names import MENTION
from handlers.matching import blocks as matching_blocks
from handlers.matching import capacity_blocks
from handlers.onboarding import blocks as onboarding_blocks
from handlers.pair_channels import blocks as pair_channel_blocks
from handlers.privacy import blocks as privacy_blocks
from handlers.programs import blocks as program_blocks
from handlers.programs import sharing_blocks
from handlers.rhythm import blocks as rhythm_blocks
from handlers.rhythm import fit_blocks, ladder_blocks
from handlers.sessions import blocks as session_blocks

# Deliveries after which the recipient's Home tab is out of date: a new milestone, or a
# partnership that ended without them doing anything (their partner or the program closed it,
# or their partner was erased).
HOME_CHANGES = frozenset({Kind.CELEBRATION, Kind.PARTNERSHIP_ENDED, Kind.PARTNER_LEFT})

Rendered = tuple[str, list[blocks.Block]]
P = TypeVar("P", bound=Payload)

RENDERERS: dict[str, Callable[[Payload], Rendered]] = {}
"""Kind -> its renderer, which takes the kind's payload type (``renders`` checks it)."""
RENDERED_TYPES: dict[str, type[Payload]] = {}


def renders(kind: Kind, payload_type: type[P], render: Callable[[P], Rendered]) -> None:
    """Register ``render`` for ``kind``: mypy holds the renderer to ``payload_type``, a test
    holds ``payload_type`` to the kind's (``bot.model.messages.PAYLOADS``)."""

    def checked(payload: Payload) -> Rendered:
        if not isinstance(payload, payload_type):
            raise TypeError(f"{kind} renders {payload_type.__name__}, not {type(payload).__name__}")
        return render(payload)

    RENDERERS[kind] = checked
    RENDERED_TYPES[kind] = payload_type


renders(Kind.SUGGESTIONS, MentorSuggestions, matching_blocks.suggestions_message)
renders(Kind.WAITLISTED, Waitlisted, matching_blocks.waitlisted_message)
renders(Kind.MENTOR_REQUEST, RequestToMentor, matching_blocks.mentor_request_message)
renders(
    Kind.MENTOR_REQUEST_REMINDER,
    RequestToMentor,
    lambda p: matching_blocks.mentor_request_message(p, reminder=True),
)
renders(Kind.MENTOR_REQUEST_EXPIRED, RequestExpired, matching_blocks.request_expired_message)
renders(Kind.INTRODUCTION, Introduction, matching_blocks.introduction_message)
renders(
    Kind.COORDINATOR_WAITLIST, CoordinatorWaitlist, matching_blocks.coordinator_waitlist_message
)
renders(Kind.SESSION_SET, SessionSet, session_blocks.session_set_message)
renders(Kind.SESSION_CHANGED, SessionChanged, session_blocks.session_changed_message)
renders(Kind.SESSION_REMINDER, SessionReminder, session_blocks.reminder_message)
renders(Kind.SESSION_CHECK, SessionCheck, session_blocks.check_message)
renders(Kind.ANNOUNCEMENT, AnnouncementCopy, announcement_blocks.announcement_message)
renders(Kind.ANNOUNCEMENT_DONE, AnnouncementDone, announcement_blocks.announcement_done_message)
renders(Kind.ONBOARDING, OnboardingMessage, onboarding_blocks.onboarding_message)
renders(Kind.COORDINATOR_CHECK_IN, CheckIn, report_blocks.check_in_message)
renders(Kind.PROGRAM_INVITE, ProgramInvite, program_blocks.invite_message)
renders(Kind.CELEBRATION, Celebration, journal_blocks.celebration_message)
renders(Kind.SHOUT_OUT, ShoutOut, journal_blocks.shout_out_message)
renders(Kind.PULSE, Pulse, rhythm_blocks.pulse_message)
renders(Kind.QUIET_NUDGE, QuietNudge, ladder_blocks.quiet_nudge_message)
renders(Kind.QUIET_DECISION, QuietDecision, ladder_blocks.quiet_decision_message)
renders(
    Kind.COORDINATOR_QUIET_DECISION,
    CoordinatorQuietDecision,
    ladder_blocks.coordinator_quiet_decision_message,
)
renders(Kind.FIT_CHECK, FitQuestion, fit_blocks.fit_check_message)
renders(Kind.MIDTERM_REVIEW, PairPrompt, rhythm_blocks.midterm_message)
renders(Kind.GOAL_CHECK, GoalCheck, rhythm_blocks.goal_check_message)
renders(Kind.TERM_NOTICE, TermNotice, rhythm_blocks.term_notice_message)
renders(Kind.FINAL_EVALUATION, PairPrompt, rhythm_blocks.final_evaluation_message)
renders(Kind.YEAR_IN_NUMBERS, YearInNumbers, rhythm_blocks.year_in_numbers_message)
renders(Kind.PARTNERSHIP_ENDED, PartnershipEnded, rhythm_blocks.partnership_ended_message)
renders(Kind.COORDINATOR_AT_RISK, AtRisk, rhythm_blocks.at_risk_message)
renders(Kind.COORDINATOR_ENDED, CoordinatorEnded, rhythm_blocks.coordinator_ended_message)
renders(Kind.PROGRAM_REPORT, ProgramReport, report_blocks.scheduled_report_message)
renders(Kind.COHORT_PLANNING, CohortPlanning, coordination_blocks.cohort_planning_message)
renders(Kind.COHORT_READY, CohortReady, coordination_blocks.cohort_ready_message)
renders(Kind.COHORT_FAILED, CohortFailed, coordination_blocks.cohort_failed_message)
renders(Kind.PARTNER_LEFT, PartnerLeft, privacy_blocks.partner_left_message)
renders(Kind.PROGRAM_MEMBERS_CHANGED, ProgramMembersChanged, sharing_blocks.members_changed_message)
renders(Kind.DM_NOTE_TO_TEAM, SharedDmNote, conversation_blocks.note_to_team_message)
renders(Kind.DM_NOTE_TO_PARTNER, SharedDmNote, conversation_blocks.note_to_partner_message)
renders(Kind.MENTOR_STAY_OPEN, StayOpen, capacity_blocks.stay_open_message)
renders(Kind.MENTOR_REQUESTS_RESUMED, RequestsResumed, capacity_blocks.requests_resumed_message)
renders(Kind.STILL_WAITLISTED, StillWaitlisted, capacity_blocks.still_waitlisted_message)
renders(Kind.NEW_MENTOR_QUESTION, NewMentorQuestion, capacity_blocks.new_mentor_question_message)
renders(Kind.CAPACITY_DIGEST, CapacityDigest, capacity_blocks.capacity_digest_message)
renders(Kind.EXIT_SURVEY, ExitSurvey, closing_blocks.exit_survey_message)
renders(Kind.EXIT_NOTE_TO_TEAM, ExitNote, closing_blocks.note_to_team_message)
renders(Kind.PAIR_CHANNEL_WELCOME, PairChannelWelcome, pair_channel_blocks.welcome_message)
renders(Kind.PAIR_CHANNEL_FALLBACK, PairChannelFallback, pair_channel_blocks.fallback_message)

UPLOADS = frozenset({Kind.SESSION_INVITE, Kind.PROGRAM_REPORT_FILES})
"""Kinds sent as files, not rendered as a message."""

STEPS = frozenset({Kind.PAIR_CHANNEL_SETUP})
"""Kinds that are Slack calls of their own, not a message: handed to the service that takes
them (``pair_channel_setup``), outside any transaction."""


def post_args(
    message: OutgoingMessage, channel: str, text: str, rendered: list[blocks.Block]
) -> dict[str, Any]:
    """``chat.postMessage``'s arguments for a rendered message: its key rides along as
    metadata, so a post whose answer was lost can be found (``find_sent``)."""
    return {
        "channel": channel,
        "text": blocks.truncate(text, 3000),
        "blocks": rendered[: blocks.MESSAGE_BLOCKS_MAX],
        "unfurl_links": False,
        "metadata": {"event_type": "mentorbot_message", "event_payload": {"key": message.key}},
    }


def people_across(
    message: OutgoingMessage, text: str, rendered: list[blocks.Block]
) -> dict[str, str]:
    """The people of other workspaces a message names (user -> their workspace): each is
    named in plain words, which may take a look in Slack (``PeopleNames``)."""
    payload = message.payload
    people: dict[str, str] = {}  # user -> their workspace, where it isn't the recipient's
    named_pairs: list[object] = [payload]
    if isinstance(payload, ProgramReport):
        named_pairs += payload.at_risk
    for pair in named_pairs:
        for user_field, team_field in (
            ("mentor_id", "mentor_team_id"),
            ("mentee_id", "mentee_team_id"),
            ("author_id", "author_team_id"),
        ):
            user, team = getattr(pair, user_field, None), getattr(pair, team_field, None)
            if (
                isinstance(user, str)
                and isinstance(team, str)
                and team not in ("", message.team_id)
            ):
                people[user] = team
    if isinstance(payload, MentorSuggestions):  # mentors of the program's other workspaces
        for candidate in payload.candidates:
            if candidate.mentor_team_id not in ("", message.team_id):
                people[candidate.mentor_id] = candidate.mentor_team_id
    other = getattr(payload, "partner_team_id", None)
    if isinstance(other, str) and other not in ("", message.team_id):
        mentioned = set(MENTION.findall(text)) | set(MENTION.findall(json.dumps(rendered)))
        people = dict.fromkeys(mentioned - set(people), other) | people
    return people
