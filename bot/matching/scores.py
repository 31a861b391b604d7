"""Who fits whom: the scores behind `/mentor ask` and cohort matching.

Scores are integers from 0 to 100 and fully deterministic (ties break on the mentor's user
ID), so the same program state always gives the same suggestions and tests can pin them.
Weights: shared focus areas 50, working-hour overlap 25, how well the mentee's goals meet the
mentor's profile 15 (``bot.matching.text``), room left in the mentor's capacity 10.

Beyond the hard rules (``is_eligible``) a suggestion must be worth the mentee's time
(``FitRule``): a language both speak, a shared focus area and a working hour in common,
unless the program allows weaker fits. ``bot.matching.index`` and ``bot.matching.cohort``
compute the same scores and rules over NumPy columns; tests pin the three together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.matching.text import NO_GOALS_FIT, GoalsFit, ProfileTexts, goals_points, profile_text
from bot.model.languages import known_languages, language_key
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule, normalize_org

WORKDAY_START_HOUR = 9
WORKDAY_HOURS = 8
FOCUS_WEIGHT = 50
OVERLAP_WEIGHT = 25
GOALS_WEIGHT = 15
CAPACITY_WEIGHT = 10


@dataclass(frozen=True)
class Candidate:
    mentor: MentorProfile
    score: int
    reason: str
    shared_focus: tuple[str, ...]
    overlap_hours: int
    free_slots: int
    languages: tuple[str, ...] = ()  # spoken by both (as the mentee named them)
    goals: GoalsFit = NO_GOALS_FIT

    def worth_it(self, request: MentorRequest, fit: FitRule) -> bool:
        """The fit floor: a shared focus area (when the mentee named any) and a working hour
        in common, unless the program allows weaker fits."""
        return fit.weak_fit or (
            (bool(self.shared_focus) or not request.focus_areas) and self.overlap_hours > 0
        )


def shared_languages(
    request: MentorRequest, mentor: MentorProfile, fit: FitRule
) -> tuple[str, ...]:
    """The mentee's languages the mentor speaks too; who named none speaks the defaults."""
    wanted = known_languages(request.languages or fit.default_languages)
    spoken = {language_key(name) for name in (mentor.languages or fit.default_languages)}
    return tuple(name for name in wanted if language_key(name) in spoken)


def speak_together(request: MentorRequest, mentor: MentorProfile, fit: FitRule) -> bool:
    return fit.any_language or bool(shared_languages(request, mentor, fit))


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1024)
def utc_offset_seconds(tz: str, fallback: int, at: datetime) -> int:
    """The zone's offset at ``at`` (DST-aware); Slack's reported offset if the name is unknown.

    Kept for the same few zones at one instant: explaining a cohort asks it twice per pair
    (20,000 times at 10,000 mentees, all at the plan's ``at``)."""
    zone = _zone(tz) if tz else None
    if zone is None:
        return fallback
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else fallback


def working_hours_overlap(offset_a: int, offset_b: int) -> int:
    """Whole hours that two 9-to-5 working days share, given each side's UTC offset.

    Offsets that wrap around the date line compare the short way round (UTC+12 and UTC-11 are
    one hour apart, not 23).
    """
    diff_hours = (abs(offset_a - offset_b) / 3600) % 24
    diff_hours = min(diff_hours, 24 - diff_hours)
    return max(0, int(WORKDAY_HOURS - diff_hours))


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe(
    shared: tuple[str, ...],
    overlap: int,
    *,
    other_org: bool,
    languages: tuple[str, ...] = (),
    goal_words: tuple[str, ...] = (),
    company: str = "",
) -> str:
    """A reason a person understands, e.g. 'shares leadership; 7 working hours overlap; both
    speak Spanish; the goals' "reorg" and "team" meet the mentor's profile'.

    ``languages`` are named only when there is more to say than the program's default one.
    Goal words are the mentee's own (letters only, so nothing in them needs escaping), never
    the bio's. ``company``: the mentor's company when it is another workspace of a shared
    program ("from Acme, shares leadership; ..."), as Slack names it (escape it to show it).
    """
    parts = [f"shares {_join(shared)}" if shared else "no shared focus areas"]
    if overlap == 0:
        parts.append("no working hours overlap")
    else:
        parts.append(f"{overlap} working hour{'s' if overlap != 1 else ''} overlap")
    if languages:
        parts.append(f"both speak {_join(languages)}")
    if goal_words:
        quoted = _join(f'"{word[:30]}"' for word in goal_words)
        parts.append(f"the goals' {quoted} meet{'s' if len(goal_words) == 1 else ''} the profile")
    if company:
        parts[0] = f"from {company}, {parts[0]}"
    elif other_org:
        parts.append("from another organization")
    return "; ".join(parts)


def score_mentor(
    request: MentorRequest,
    mentor: MentorProfile,
    *,
    load: int,
    at: datetime,
    fit: FitRule = DEFAULT_FIT,
    goals: GoalsFit = NO_GOALS_FIT,
    company: str = "",
) -> Candidate:
    """The mentor's score and reason for the request; ``goals`` is how the request's goals
    meet the mentor's profile among the program's profiles (``ProfileTexts.fit``)."""
    wanted = list(request.focus_areas)
    offered = {area.casefold() for area in mentor.expertise}
    shared = tuple(area for area in wanted if area.casefold() in offered)
    focus_part = FOCUS_WEIGHT * len(shared) / len(wanted) if wanted else FOCUS_WEIGHT / 2
    overlap = working_hours_overlap(
        utc_offset_seconds(request.tz, request.tz_offset, at),
        utc_offset_seconds(mentor.tz, mentor.tz_offset, at),
    )
    free = max(0, mentor.capacity - load)
    capacity_part = CAPACITY_WEIGHT * free / mentor.capacity if mentor.capacity else 0
    score = round(
        focus_part
        + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS
        + capacity_part
        + goals_points(goals.similarity, GOALS_WEIGHT)
    )
    other_org = bool(normalize_org(mentor.organization)) and normalize_org(
        mentor.organization
    ) != normalize_org(request.organization)
    languages = shared_languages(request, mentor, fit)
    defaults = {language_key(name) for name in fit.default_languages}
    return Candidate(
        mentor=mentor,
        score=score,
        reason=describe(
            shared,
            overlap,
            other_org=other_org,
            languages=languages
            if any(language_key(name) not in defaults for name in languages)
            else (),
            goal_words=goals.words,
            company=company,
        ),
        shared_focus=shared,
        overlap_hours=overlap,
        free_slots=free,
        languages=languages,
        goals=goals,
    )


def is_eligible(
    request: MentorRequest,
    mentor: MentorProfile,
    *,
    load: int,
    rule: CrossCompanyRule,
    excluded: frozenset[str],
    fit: FitRule = DEFAULT_FIT,
) -> bool:
    """The hard rules: no score makes up for breaking one of these."""
    return (
        speak_together(request, mentor, fit)
        and mentor.accepting
        and mentor.user_id != request.mentee_id
        and mentor.user_id not in excluded
        and load < mentor.capacity
        and rule.allows(
            request.organization, mentor.organization, mentee_wants_other=request.wants_other_org
        )
    )


def rank_mentors(
    request: MentorRequest,
    mentors: Iterable[MentorProfile],
    *,
    loads: Mapping[str, int],
    rule: CrossCompanyRule,
    excluded: frozenset[str],
    at: datetime,
    limit: int = 3,
    fit: FitRule = DEFAULT_FIT,
) -> list[Candidate]:
    """The ``limit`` best eligible mentors worth the mentee's time, best first.

    ``mentors``: the program's accepting mentors, every one of them (the goals are weighed
    against all their profiles, eligible or not).
    """
    mentors = list(mentors)
    texts = profile_texts([m for m in mentors if m.accepting])
    query = texts.query(request.goals)
    candidates = [
        score_mentor(
            request,
            mentor,
            load=loads.get(mentor.user_id, 0),
            at=at,
            fit=fit,
            goals=texts.fit(query, mentor.user_id),
        )
        for mentor in mentors
        if is_eligible(
            request,
            mentor,
            load=loads.get(mentor.user_id, 0),
            rule=rule,
            excluded=excluded,
            fit=fit,
        )
    ]
    candidates = [c for c in candidates if c.worth_it(request, fit)]
    candidates.sort(key=lambda c: (-c.score, c.mentor.user_id))
    return candidates[:limit]


def profile_texts(mentors: Sequence[MentorProfile]) -> ProfileTexts:
    """The goals are weighed against these: the profiles of the program's accepting mentors."""
    return ProfileTexts(
        [m.user_id for m in mentors], [profile_text(m.expertise, m.bio) for m in mentors]
    )


@dataclass(frozen=True)
class Shortfall:
    """Why nobody was suggested, for the coordinators: of the mentors with room whom the
    program's rules allow, how many miss each part of ``FitRule`` (each at the first one)."""

    with_room: int = 0
    other_language: int = 0
    no_shared_focus: int = 0
    no_overlap: int = 0

    def explain(self, languages: Sequence[str]) -> str:
        """One sentence, e.g. '3 mentors have room, but 2 speak none of their languages
        (Spanish) and 1 shares no focus area with them.'"""
        if not self.with_room:
            return "No mentor who may be paired with them has room."
        misses = []
        if self.other_language:
            named = f" ({_join(languages)})" if languages else ""
            misses.append(
                f"{self.other_language} speak{_s(self.other_language)} none of their "
                f"languages{named}"
            )
        if self.no_shared_focus:
            misses.append(
                f"{self.no_shared_focus} share{_s(self.no_shared_focus)} no focus area with them"
            )
        if self.no_overlap:
            misses.append(
                f"{self.no_overlap} share{_s(self.no_overlap)} no working hours with them"
            )
        have = "has" if self.with_room == 1 else "have"
        mentors = "mentor" if self.with_room == 1 else "mentors"
        if not misses:
            return f"{self.with_room} {mentors} {have} room."
        return f"{self.with_room} {mentors} {have} room, but {_join(misses)}."


def _s(count: int) -> str:
    """The verb's ending: 'speaks' for one, 'speak' for more."""
    return "s" if count == 1 else ""
