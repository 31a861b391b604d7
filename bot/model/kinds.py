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
    PLAN_MISSING = "job.plan_missing"  # start-up: older pairs' rhythms, a chunk at a time
    PLAN_COHORT = "job.plan_cohort"  # `/mentor match`: the proposal, worked out off the request
    COHORT_READY = "coordinator.cohort_ready"  # its proposal is ready: a button shows it
    # who coordinates, and what they get on a schedule (bot/coordinators.py, bot/coordination.py)
    COORDINATOR_GROUP_ROUND = "job.coordinator_group_round"  # every hour: each workspace's
    COORDINATOR_GROUP_SYNC = "job.coordinator_group_sync"  # one workspace's user group read
    PROGRAM_REPORT_DUE = "job.program_report"  # the period's report, for every coordinator
    PROGRAM_REPORT = "coordinator.report"  # the figures, to one coordinator
    PROGRAM_REPORT_FILES = "coordinator.report_files"  # the chart and the CSV, after it
    # people's data (bot/privacy.py)
    PARTNER_LEFT = "partnership.partner_left"  # to the partner of someone erased
    ERASE_PERSON = "job.erase_person"  # a person deleted from Slack, after the retention period


class SuggestionContext(StrEnum):
    """Why the mentee is seeing suggestions, so the message can say it kindly."""

    FIRST = "first"
    AFTER_DECLINE = "after_decline"
    AFTER_NO_ANSWER = "after_no_answer"
    FROM_WAITLIST = "from_waitlist"
    AFTER_END = "after_end"
