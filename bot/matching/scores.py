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
from typing import NamedTuple
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
    defaults = tuple(fit.default_languages)
    asked, _ = _asked_languages(tuple(request.languages) or defaults, defaults)
    return _common(asked, _spoken_languages(tuple(mentor.languages) or defaults))


def _common(asked: tuple[tuple[str, str], ...], spoken: frozenset[str]) -> tuple[str, ...]:
    """The asked languages (name, key) whose key is spoken, as the mentee named them."""
    return tuple([name for name, key in asked if key in spoken])


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


@lru_cache(maxsize=4096)
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

    Kept: a cohort's thousands of pairs say a few hundred different things (10,000 pairs, 741
    reasons), and the words cost more than the lookup.
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


class MenteeTerms(NamedTuple):
    """What a score reads of a request, at one instant and under one ``FitRule``."""

    focus: tuple[tuple[str, str], ...]  # (each area as the mentee named it, casefolded)
    offset: int  # seconds east of UTC at the instant
    organization: str  # as ``normalize_org`` keeps it
    languages: tuple[tuple[str, str], ...]  # (each language as shown, its key)
    beyond: frozenset[str]  # the keys of those not among the program's default languages


class MentorTerms(NamedTuple):
    """What a score reads of a mentor with ``load`` mentees, at one instant and under one
    ``FitRule``: the same for each of the mentor's pairs in a cohort, so worked out once."""

    offered: frozenset[str]  # the focus areas, casefolded
    offset: int
    organization: str
    speaks: frozenset[str]  # language keys
    free: int
    capacity_part: float


class Weighed(NamedTuple):
    score: int
    reason: str
    shared: tuple[str, ...]  # the mentee's areas the mentor offers, as the mentee named them
    overlap: int  # working hours in common
    languages: tuple[str, ...]  # spoken by both (as the mentee named them)


def mentee_terms(request: MentorRequest, *, at: datetime, fit: FitRule) -> MenteeTerms:
    defaults = tuple(fit.default_languages)
    languages, beyond = _asked_languages(tuple(request.languages) or defaults, defaults)
    return MenteeTerms(
        _focus(tuple(request.focus_areas)),
        utc_offset_seconds(request.tz, request.tz_offset, at),
        _organization(request.organization),
        languages,
        beyond,
    )


def mentor_terms(mentor: MentorProfile, *, load: int, at: datetime, fit: FitRule) -> MentorTerms:
    free = max(0, mentor.capacity - load)
    return MentorTerms(
        frozenset([area.casefold() for area in mentor.expertise]),
        utc_offset_seconds(mentor.tz, mentor.tz_offset, at),
        _organization(mentor.organization),
        _spoken_languages(tuple(mentor.languages) or tuple(fit.default_languages)),
        free,
        CAPACITY_WEIGHT * free / mentor.capacity if mentor.capacity else 0,
    )


@lru_cache(maxsize=4096)
def _focus(areas: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each area with its casefolded form, kept: a cohort's mentees pick among a program's
    few areas."""
    return tuple((area, area.casefold()) for area in areas)


@lru_cache(maxsize=4096)
def _organization(name: str) -> str:
    """``normalize_org``, kept: a cohort's few organizations, asked of every pair."""
    return normalize_org(name)


@lru_cache(maxsize=1024)
def _asked_languages(
    names: tuple[str, ...], defaults: tuple[str, ...]
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """``shared_languages``'s side of the mentee (each language named once, with its key),
    and the keys of those not among the defaults."""
    languages = tuple((name, language_key(name)) for name in known_languages(names))
    default_keys = {language_key(name) for name in defaults}
    return languages, frozenset(key for _, key in languages if key not in default_keys)


@lru_cache(maxsize=1024)
def _spoken_languages(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(language_key(name) for name in names)


def weigh(
    mentee: MenteeTerms,
    mentor: MentorTerms,
    *,
    goals: GoalsFit = NO_GOALS_FIT,
    company: str = "",
) -> Weighed:
    """The score and the reason of one pair from both sides' terms: ``score_mentor``'s
    arithmetic, in its order. A cohort explains thousands of pairs with it, each mentor's
    terms worked out once; languages are named only when one both speak is not among the
    program's defaults."""
    offered = mentor.offered
    shared = tuple([area for area, folded in mentee.focus if folded in offered])
    wanted = len(mentee.focus)
    focus_part = FOCUS_WEIGHT * len(shared) / wanted if wanted else FOCUS_WEIGHT / 2
    overlap = working_hours_overlap(mentee.offset, mentor.offset)
    score = round(
        focus_part
        + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS
        + mentor.capacity_part
        + goals_points(goals.similarity, GOALS_WEIGHT)
    )
    speaks = mentor.speaks
    languages = _common(mentee.languages, speaks)
    reason = describe(
        shared,
        overlap,
        other_org=bool(mentor.organization) and mentor.organization != mentee.organization,
        languages=languages if not mentee.beyond.isdisjoint(speaks) else (),
        goal_words=goals.words,
        company=company,
    )
    return Weighed(score, reason, shared, overlap, languages)


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
    terms = mentor_terms(mentor, load=load, at=at, fit=fit)
    weighed = weigh(mentee_terms(request, at=at, fit=fit), terms, goals=goals, company=company)
    return Candidate(
        mentor=mentor,
        score=weighed.score,
        reason=weighed.reason,
        shared_focus=weighed.shared,
        overlap_hours=weighed.overlap,
        free_slots=terms.free,
        languages=weighed.languages,
        goals=goals,
    )


def weigh_pairs(
    requests: Sequence[MentorRequest],
    mentors: Sequence[MentorProfile],
    pairs: Sequence[tuple[int, int]],
    *,
    loads: Mapping[str, int],
    at: datetime,
    fit: FitRule,
    goals: Sequence[GoalsFit],
) -> list[Weighed]:
    """``score_mentor`` for many pairs at once (an index into ``requests``, one into
    ``mentors``; ``goals``: each pair's fit): each mentor's terms are worked out once for all
    their pairs. A cohort explains its chosen pairs with it."""
    terms_of: dict[int, MentorTerms] = {}
    weighed = []
    for (i, j), fitted in zip(pairs, goals, strict=True):
        terms = terms_of.get(j)
        if terms is None:
            mentor = mentors[j]
            load = loads.get(mentor.user_id, 0)
            terms = terms_of[j] = mentor_terms(mentor, load=load, at=at, fit=fit)
        asked = mentee_terms(requests[i], at=at, fit=fit)
        weighed.append(weigh(asked, terms, goals=fitted))
    return weighed


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
