"""Names of the outgoing messages and internal jobs, shared by services and renderers."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    # to the mentee
    SUGGESTIONS = "mentee.suggestions"
    WAITLISTED = "mentee.waitlisted"
    # to the mentor
    MENTOR_REQUEST = "mentor.request"
    MENTOR_REQUEST_REMINDER = "mentor.request_reminder"
    MENTOR_REQUEST_EXPIRED = "mentor.request_expired"
    # to both, in a group DM with the bot
    INTRODUCTION = "partnership.introduction"
    DM_NOTE_TO_PARTNER = "partnership.dm_note"  # a reply in the DM its author shared
    # to coordinators
    COORDINATOR_WAITLIST = "coordinator.waitlist"
    COORDINATOR_CHECK_IN = "coordinator.check_in"  # from the program team, to one partner
    DM_NOTE_TO_TEAM = "coordinator.dm_note"  # a reply in the DM its author sent to the team
    PROGRAM_INVITE = "program.invite"  # a coordinator invites someone to a program
    # weekly sessions
    SESSION_SET = "session.set"  # to the partner who didn't set it
    SESSION_INVITE = "session.invite"  # the .ics, to the pair's group DM
    SESSION_CHANGED = "session.changed"  # a skip, move, pause or resume, to the partner
    SESSION_REMINDER = "session.reminder"
    SESSION_CHECK = "session.check"  # "did you meet?"
    # announcements from the program team
    ANNOUNCEMENT = "announcement.copy"  # to the channel or one participant
    ANNOUNCEMENT_DONE = "announcement.done"  # to its author: how many it reached
    # training and onboarding: the role, a first-session agenda, a topic a month
    ONBOARDING = "onboarding.message"
    # internal jobs: run a service instead of sending anything
    EXPIRE_PROPOSAL = "job.expire_proposal"
    PLAN_NEXT_SESSION = "job.plan_next_session"
    SEND_ANNOUNCEMENT = "job.send_announcement"
    TALLY_ANNOUNCEMENT = "job.tally_announcement"
    ONBOARDING_STEP = "job.onboarding_step"
    # goals, reflections and milestones
    CELEBRATION = "journal.celebration"  # a milestone, to each partner
    SHOUT_OUT = "journal.shout_out"  # a milestone, to the program channel (both opted in)
    SESSION_MET = "job.session_met"  # a session was logged as held: count milestones
    MILESTONE_DUE = "job.milestone_due"  # months together, the term completed
    # the program's rhythm (bot/rhythm.py): prompts held to each person's working hours
    PULSE = "rhythm.pulse"  # "how is your partnership going?" 1-5
    QUIET_NUDGE = "rhythm.quiet_nudge"  # no session logged as met for a while
    MIDTERM_REVIEW = "rhythm.midterm_review"
    GOAL_CHECK = "rhythm.goal_check"  # each quarter: the mentee's goals, with status buttons
    TERM_NOTICE = "rhythm.term_notice"  # two weeks before the end: extend or close
    FINAL_EVALUATION = "rhythm.final_evaluation"
    YEAR_IN_NUMBERS = "rhythm.year_in_numbers"
    PARTNERSHIP_ENDED = "partnership.ended"  # to the partner who didn't end it
    COORDINATOR_AT_RISK = "coordinator.at_risk"
    COORDINATOR_ENDED = "coordinator.partnership_ended"
    PULSE_ROUND = "job.pulse_round"
    QUIET_CHECK = "job.quiet_check"
    MIDTERM = "job.midterm"
    GOAL_CHECK_DUE = "job.goal_check"
    TERM_NOTICE_DUE = "job.term_notice"
    TERM_END = "job.term_end"
    # the early fit check and the ladder for quiet pairs (bot/rhythm/fit_check.py, ladder.py)
    FIT_CHECK = "rhythm.fit_check"  # "how is the fit so far?", to one partner
    FIT_CHECK_DUE = "job.fit_check"  # three weeks after the introduction, if none met yet
    QUIET_DECISION = "rhythm.quiet_decision"  # eight quiet weeks: pause, continue or close?
    QUIET_DECISION_DUE = "job.quiet_decision"  # a week later, unanswered: the program decides
    COORDINATOR_QUIET_DECISION = "coordinator.quiet_decision"  # to coordinators: decide
    PLAN_MISSING = "job.plan_missing"  # start-up: older pairs' rhythms, a chunk at a time
    PLAN_COHORT = "job.plan_cohort"  # `/mentor match`: the proposal, worked out off the request
    COHORT_PLANNING = "coordinator.cohort_planning"  # right away: being worked out (edited)
    COHORT_READY = "coordinator.cohort_ready"  # its proposal is ready: a button shows it
    COHORT_FAILED = "coordinator.cohort_failed"  # it could not be worked out: ask again
    # who coordinates, and what they get on a schedule (bot/coordinators.py, bot/coordination.py)
    COORDINATOR_GROUP_ROUND = "job.coordinator_group_round"  # every hour: each workspace's
    COORDINATOR_GROUP_SYNC = "job.coordinator_group_sync"  # one workspace's user group read
    PROGRAM_REPORT_DUE = "job.program_report"  # the period's report, for every coordinator
    PROGRAM_REPORT = "coordinator.report"  # the figures, to one coordinator
    PROGRAM_REPORT_FILES = "coordinator.report_files"  # the chart and the CSV, after it
    # people's data (bot/privacy.py)
    PARTNER_LEFT = "partnership.partner_left"  # to the partner of someone erased
    ERASE_PERSON = "job.erase_person"  # a person deleted from Slack, after the retention period
    # programs shared across workspaces (bot/programs/leaving.py)
    PROGRAM_MEMBERS_CHANGED = "coordinator.program_members"  # a workspace joined or left
    ERASE_DEPARTED = "job.erase_departed"  # a workspace left a program: its people's data there
    # capacity that learns (bot/matching/capacity.py)
    MENTOR_STAY_OPEN = "mentor.stay_open"  # after two declines in a row: stay open for requests?
    MENTOR_REQUESTS_RESUMED = "mentor.requests_resumed"  # the pause they chose is over
    RESUME_REQUESTS = "job.resume_requests"  # the day a mentor's pause of new requests ends
    STILL_WAITLISTED = "mentee.still_waitlisted"  # weeks on the waitlist: still on it
    NEW_MENTOR_QUESTION = "mentee.new_mentor_question"  # goals reached: a new mentor, or not?
    CAPACITY_WEEK = "job.capacity_week"  # each week: the digest and the waitlist's notes
    CAPACITY_DIGEST = "coordinator.capacity_digest"  # declines, expiries, long waits
    # closing well (bot/closing/)
    EXIT_SURVEY = "partnership.exit_survey"  # after any ending, to each partner left
    EXIT_NOTE_TO_TEAM = "coordinator.exit_note"  # an exit survey's note its author sent
    # a pair across workspaces: its Slack Connect channel, or the fallback (bot/pair_channels/)
    PAIR_CHANNEL_SETUP = "pair_channel.setup"  # create, add, invite: sent like a message
    PAIR_CHANNEL_WELCOME = "pair_channel.welcome"  # to the channel, once both are in it
    PAIR_CHANNEL_FALLBACK = "pair_channel.fallback"  # to each person: no channel, and why


class SuggestionContext(StrEnum):
    """Why the mentee is seeing suggestions, so the message can say it kindly."""

    FIRST = "first"
    AFTER_DECLINE = "after_decline"
    AFTER_NO_ANSWER = "after_no_answer"
    FROM_WAITLIST = "from_waitlist"
    AFTER_END = "after_end"


class Timing(StrEnum):
    """When a kind may reach its recipient: the one question the dispatcher's hold asks."""

    BOT_STARTED = "bot_started"
    """The bot starts it on its own schedule: held to the recipient's working hours, in the
    recipient's zone, because nobody is waiting for it and a DM at 01:00 wakes people up."""
    ANSWER = "answer"
    """It answers what someone just did (a click, a form, a reply): never held, the person who
    acted (or the partner they acted towards) is waiting to see the result, whatever the hour."""
    JOB = "job"
    """An internal job: it sends nothing itself; what it plans is timed by its own kind."""


TIMING: dict[Kind, Timing] = {
    # to the mentee: answers to their ask (see ``BOT_STARTED_CONTEXTS`` for the exceptions)
    Kind.SUGGESTIONS: Timing.ANSWER,
    Kind.WAITLISTED: Timing.ANSWER,
    # to the mentor
    Kind.MENTOR_REQUEST: Timing.ANSWER,  # the mentee just picked them and waits for an answer
    Kind.MENTOR_REQUEST_REMINDER: Timing.BOT_STARTED,  # the bot's nudge after hours of silence
    Kind.MENTOR_REQUEST_EXPIRED: Timing.BOT_STARTED,  # the expiry job's note, nobody's click
    # to both
    Kind.INTRODUCTION: Timing.ANSWER,  # the mentor just accepted
    Kind.DM_NOTE_TO_PARTNER: Timing.ANSWER,  # a conversation: held, it would stop being one
    # to coordinators
    Kind.COORDINATOR_WAITLIST: Timing.BOT_STARTED,
    Kind.COORDINATOR_CHECK_IN: Timing.ANSWER,  # a coordinator wrote it just now
    Kind.DM_NOTE_TO_TEAM: Timing.ANSWER,
    Kind.PROGRAM_INVITE: Timing.ANSWER,  # a coordinator's click, told as it happens
    # weekly sessions
    Kind.SESSION_SET: Timing.ANSWER,  # the partner just set a time
    Kind.SESSION_INVITE: Timing.ANSWER,
    Kind.SESSION_CHANGED: Timing.ANSWER,
    Kind.SESSION_REMINDER: Timing.ANSWER,  # tied to a time the pair chose: see below
    Kind.SESSION_CHECK: Timing.BOT_STARTED,  # "did you meet?"
    # announcements
    Kind.ANNOUNCEMENT: Timing.BOT_STARTED,  # held only as a DM: a channel has no one zone
    Kind.ANNOUNCEMENT_DONE: Timing.BOT_STARTED,
    Kind.ONBOARDING: Timing.BOT_STARTED,  # the welcome, the first agenda, a topic a month
    # journal
    Kind.CELEBRATION: Timing.BOT_STARTED,
    Kind.SHOUT_OUT: Timing.BOT_STARTED,  # to a channel: never held in practice
    # the rhythm
    Kind.PULSE: Timing.BOT_STARTED,
    Kind.QUIET_NUDGE: Timing.BOT_STARTED,
    Kind.MIDTERM_REVIEW: Timing.BOT_STARTED,
    Kind.GOAL_CHECK: Timing.BOT_STARTED,
    Kind.TERM_NOTICE: Timing.BOT_STARTED,
    Kind.FINAL_EVALUATION: Timing.BOT_STARTED,
    Kind.YEAR_IN_NUMBERS: Timing.BOT_STARTED,
    Kind.PARTNERSHIP_ENDED: Timing.ANSWER,  # the partner or the program team just ended it
    Kind.COORDINATOR_AT_RISK: Timing.BOT_STARTED,
    Kind.COORDINATOR_ENDED: Timing.BOT_STARTED,
    Kind.PROGRAM_REPORT: Timing.BOT_STARTED,
    Kind.PROGRAM_REPORT_FILES: Timing.BOT_STARTED,
    Kind.PARTNER_LEFT: Timing.BOT_STARTED,  # an erasure runs after the retention period
    Kind.PROGRAM_MEMBERS_CHANGED: Timing.BOT_STARTED,  # news for their working day
    # fit and follow-through
    Kind.FIT_CHECK: Timing.BOT_STARTED,
    Kind.QUIET_DECISION: Timing.BOT_STARTED,
    Kind.COORDINATOR_QUIET_DECISION: Timing.BOT_STARTED,
    Kind.COHORT_PLANNING: Timing.ANSWER,  # the coordinator just asked for the cohort's plan
    Kind.COHORT_READY: Timing.ANSWER,  # ... and is waiting for it (it edits the above)
    Kind.COHORT_FAILED: Timing.ANSWER,
    # capacity and closing
    Kind.MENTOR_STAY_OPEN: Timing.ANSWER,  # follows the mentor's second decline in a row
    Kind.MENTOR_REQUESTS_RESUMED: Timing.BOT_STARTED,  # the pause they chose is over
    Kind.STILL_WAITLISTED: Timing.BOT_STARTED,
    Kind.NEW_MENTOR_QUESTION: Timing.ANSWER,  # the partnership just ended, goals reached
    Kind.CAPACITY_DIGEST: Timing.BOT_STARTED,
    Kind.EXIT_SURVEY: Timing.BOT_STARTED,
    Kind.EXIT_NOTE_TO_TEAM: Timing.ANSWER,  # its author just chose to send it
    # a pair across workspaces: both follow the accept (or the partner's answer to the invite)
    Kind.PAIR_CHANNEL_SETUP: Timing.ANSWER,  # Slack's calls, not a message: never held
    Kind.PAIR_CHANNEL_WELCOME: Timing.ANSWER,  # the partner just accepted: both are there now
    Kind.PAIR_CHANNEL_FALLBACK: Timing.ANSWER,  # follows the introduction, or a decline
    # internal jobs
    Kind.EXPIRE_PROPOSAL: Timing.JOB,
    Kind.PLAN_NEXT_SESSION: Timing.JOB,
    Kind.SEND_ANNOUNCEMENT: Timing.JOB,
    Kind.TALLY_ANNOUNCEMENT: Timing.JOB,
    Kind.ONBOARDING_STEP: Timing.JOB,
    Kind.SESSION_MET: Timing.JOB,
    Kind.MILESTONE_DUE: Timing.JOB,
    Kind.PULSE_ROUND: Timing.JOB,
    Kind.QUIET_CHECK: Timing.JOB,
    Kind.MIDTERM: Timing.JOB,
    Kind.GOAL_CHECK_DUE: Timing.JOB,
    Kind.TERM_NOTICE_DUE: Timing.JOB,
    Kind.TERM_END: Timing.JOB,
    Kind.COORDINATOR_GROUP_ROUND: Timing.JOB,
    Kind.COORDINATOR_GROUP_SYNC: Timing.JOB,
    Kind.PROGRAM_REPORT_DUE: Timing.JOB,
    Kind.ERASE_PERSON: Timing.JOB,
    Kind.ERASE_DEPARTED: Timing.JOB,
    Kind.RESUME_REQUESTS: Timing.JOB,
    Kind.FIT_CHECK_DUE: Timing.JOB,
    Kind.QUIET_DECISION_DUE: Timing.JOB,
    Kind.PLAN_MISSING: Timing.JOB,
    Kind.PLAN_COHORT: Timing.JOB,
    Kind.CAPACITY_WEEK: Timing.JOB,
}
"""Every kind, classified in this one place (a unit test fails for a kind missing here).

The weekly session's reminder is an answer although the bot sends it: it is due minutes
before the session, a time the pair chose, and held till morning it would arrive after the
session it announces. A session at 07:30 is the pair's choice; its reminder belongs to it."""

BOT_STARTED_CONTEXTS: frozenset[SuggestionContext] = frozenset(
    {SuggestionContext.FROM_WAITLIST, SuggestionContext.AFTER_NO_ANSWER}
)
"""Suggestions (or the waitlist) the mentee did not just ask for: a mentor freed up weeks
after the ask, or the asked mentor never answered. Nobody is waiting at this hour."""

BOT_STARTED: frozenset[Kind] = frozenset(k for k, t in TIMING.items() if t is Timing.BOT_STARTED)
ANSWERS: frozenset[Kind] = frozenset(k for k, t in TIMING.items() if t is Timing.ANSWER)
JOBS: frozenset[Kind] = frozenset(k for k, t in TIMING.items() if t is Timing.JOB)


def started_by_bot(kind: str, payload: object) -> bool:
    """Whether this message is held to its recipient's working hours; a kind this program
    does not know (an old row) is not, since nobody could say it was the bot's idea.

    ``payload`` is the message's typed payload; only a suggestion's ``context`` is read
    (``bot.model.messages`` imports this module, so it is not imported here)."""
    if kind in (Kind.SUGGESTIONS, Kind.WAITLISTED):
        return getattr(payload, "context", None) in BOT_STARTED_CONTEXTS
    return kind in BOT_STARTED
