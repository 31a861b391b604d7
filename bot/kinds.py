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
    # to coordinators
    COORDINATOR_WAITLIST = "coordinator.waitlist"
    # weekly sessions
    SESSION_SET = "session.set"  # to the partner who didn't set it
    SESSION_INVITE = "session.invite"  # the .ics, to the pair's group DM
    SESSION_CHANGED = "session.changed"  # a skip, move, pause or resume, to the partner
    SESSION_REMINDER = "session.reminder"
    SESSION_CHECK = "session.check"  # "did you meet?"
    # announcements from the program team
    ANNOUNCEMENT = "announcement.copy"  # to the channel or one participant
    ANNOUNCEMENT_DONE = "announcement.done"  # to its author: how many it reached
    # internal jobs: run a service instead of sending anything
    EXPIRE_PROPOSAL = "job.expire_proposal"
    PLAN_NEXT_SESSION = "job.plan_next_session"
    SEND_ANNOUNCEMENT = "job.send_announcement"
    TALLY_ANNOUNCEMENT = "job.tally_announcement"
    # goals, reflections and milestones
    CELEBRATION = "journal.celebration"  # a milestone, to each partner
    SHOUT_OUT = "journal.shout_out"  # a milestone, to the program channel (both opted in)
    SESSION_MET = "job.session_met"  # a session was logged as held: count milestones
    MILESTONE_DUE = "job.milestone_due"  # months together, the term completed


class SuggestionContext(StrEnum):
    """Why the mentee is seeing suggestions, so the message can say it kindly."""

    FIRST = "first"
    AFTER_DECLINE = "after_decline"
    AFTER_NO_ANSWER = "after_no_answer"
    FROM_WAITLIST = "from_waitlist"
