"""Which payload type each kind of outgoing message or job carries."""

from __future__ import annotations

from bot.model.kinds import Kind
from bot.model.messages import announcements as a
from bot.model.messages import capacity as cap
from bot.model.messages import closing as cl
from bot.model.messages import coordination as c
from bot.model.messages import journal as j
from bot.model.messages import matching as m
from bot.model.messages import pair_channels as pc
from bot.model.messages import people as p
from bot.model.messages import rhythm as r
from bot.model.messages import sessions as s
from bot.model.messages.base import PairPrompt, Payload

PAYLOADS: dict[Kind, type[Payload]] = {
    Kind.SUGGESTIONS: m.MentorSuggestions,
    Kind.WAITLISTED: m.Waitlisted,
    Kind.MENTOR_REQUEST: m.RequestToMentor,
    Kind.MENTOR_REQUEST_REMINDER: m.RequestToMentor,
    Kind.MENTOR_REQUEST_EXPIRED: m.RequestExpired,
    Kind.INTRODUCTION: m.Introduction,
    Kind.COORDINATOR_WAITLIST: m.CoordinatorWaitlist,
    Kind.EXPIRE_PROPOSAL: m.ExpireProposal,
    Kind.DM_NOTE_TO_PARTNER: p.SharedDmNote,
    Kind.DM_NOTE_TO_TEAM: p.SharedDmNote,
    Kind.COORDINATOR_CHECK_IN: c.CheckIn,
    Kind.PROGRAM_INVITE: p.ProgramInvite,
    Kind.SESSION_SET: s.SessionSet,
    Kind.SESSION_INVITE: s.SessionInvite,
    Kind.SESSION_CHANGED: s.SessionChanged,
    Kind.SESSION_REMINDER: s.SessionReminder,
    Kind.SESSION_CHECK: s.SessionCheck,
    Kind.PLAN_NEXT_SESSION: s.PlanNextSession,
    Kind.SESSION_MET: s.SessionMet,
    Kind.ANNOUNCEMENT: a.AnnouncementCopy,
    Kind.ANNOUNCEMENT_DONE: a.AnnouncementDone,
    Kind.SEND_ANNOUNCEMENT: a.SendAnnouncement,
    Kind.TALLY_ANNOUNCEMENT: a.TallyAnnouncement,
    Kind.ONBOARDING: p.OnboardingMessage,
    Kind.ONBOARDING_STEP: p.OnboardingStep,
    Kind.CELEBRATION: j.Celebration,
    Kind.SHOUT_OUT: j.ShoutOut,
    Kind.MILESTONE_DUE: j.MilestoneDue,
    Kind.PULSE: r.Pulse,
    Kind.QUIET_NUDGE: r.QuietNudge,
    Kind.MIDTERM_REVIEW: PairPrompt,
    Kind.GOAL_CHECK: r.GoalCheck,
    Kind.TERM_NOTICE: r.TermNotice,
    Kind.FINAL_EVALUATION: PairPrompt,
    Kind.YEAR_IN_NUMBERS: r.YearInNumbers,
    Kind.PARTNERSHIP_ENDED: r.PartnershipEnded,
    Kind.COORDINATOR_AT_RISK: r.AtRisk,
    Kind.COORDINATOR_ENDED: r.CoordinatorEnded,
    Kind.PULSE_ROUND: r.PulseRound,
    Kind.QUIET_CHECK: r.PartnershipJob,
    Kind.MIDTERM: r.PartnershipJob,
    Kind.GOAL_CHECK_DUE: r.GoalCheckDue,
    Kind.TERM_NOTICE_DUE: r.TermJob,
    Kind.TERM_END: r.TermJob,
    Kind.FIT_CHECK: r.FitQuestion,
    Kind.FIT_CHECK_DUE: r.PartnershipJob,
    Kind.QUIET_DECISION: r.QuietDecision,
    Kind.QUIET_DECISION_DUE: r.QuietDecisionDue,
    Kind.COORDINATOR_QUIET_DECISION: r.CoordinatorQuietDecision,
    Kind.PLAN_MISSING: r.PlanMissing,
    Kind.PLAN_COHORT: c.PlanCohort,
    Kind.COHORT_PLANNING: c.CohortPlanning,
    Kind.COHORT_READY: c.CohortReady,
    Kind.COHORT_FAILED: c.CohortFailed,
    Kind.COORDINATOR_GROUP_ROUND: c.GroupRound,
    Kind.COORDINATOR_GROUP_SYNC: c.GroupSync,
    Kind.PROGRAM_REPORT_DUE: c.ProgramReportDue,
    Kind.PROGRAM_REPORT: c.ProgramReport,
    Kind.PROGRAM_REPORT_FILES: c.ProgramReport,
    Kind.PARTNER_LEFT: p.PartnerLeft,
    Kind.ERASE_PERSON: p.ErasePerson,
    Kind.PROGRAM_MEMBERS_CHANGED: p.ProgramMembersChanged,
    Kind.ERASE_DEPARTED: p.EraseDeparted,
    Kind.MENTOR_STAY_OPEN: cap.StayOpen,
    Kind.MENTOR_REQUESTS_RESUMED: cap.RequestsResumed,
    Kind.RESUME_REQUESTS: cap.ResumeRequests,
    Kind.STILL_WAITLISTED: cap.StillWaitlisted,
    Kind.NEW_MENTOR_QUESTION: cap.NewMentorQuestion,
    Kind.CAPACITY_WEEK: cap.CapacityWeek,
    Kind.CAPACITY_DIGEST: cap.CapacityDigest,
    Kind.EXIT_SURVEY: cl.ExitSurvey,
    Kind.EXIT_NOTE_TO_TEAM: cl.ExitNote,
    Kind.PAIR_CHANNEL_SETUP: pc.PairChannelSetup,
    Kind.PAIR_CHANNEL_WELCOME: pc.PairChannelWelcome,
    Kind.PAIR_CHANNEL_FALLBACK: pc.PairChannelFallback,
}
"""Every kind, each with its type (a test holds it to ``Kind``). A kind that needs nothing
but its recipient and key maps to ``NoPayload``."""


def payload_type(kind: str) -> type[Payload]:
    """The type a kind carries; ``KeyError`` for a kind nobody registered."""
    try:
        return PAYLOADS[Kind(kind)]
    except ValueError:
        raise KeyError(kind) from None
