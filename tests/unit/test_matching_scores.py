"""Who fits whom: the scores, the hard rules and the reasons people read."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.matching.scores import (
    describe,
    is_eligible,
    rank_mentors,
    score_mentor,
    utc_offset_seconds,
    working_hours_overlap,
)
from bot.model.partnership import DEFAULT_FOCUS_AREAS, MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, FitRule

TEAM = "T0001"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HOUR = 3600
NO_RULE = CrossCompanyRule()


def mentor(
    user_id: str = "UMENTOR1",
    *,
    expertise: tuple[str, ...] = ("leadership", "change management"),
    organization: str = "Globex",
    capacity: int = 2,
    tz: str = "",
    tz_offset: int = 0,
    accepting: bool = True,
) -> MentorProfile:
    return MentorProfile(
        team_id=TEAM,
        user_id=user_id,
        expertise=list(expertise),
        bio="",
        organization=organization,
        capacity=capacity,
        languages=["en"],
        tz=tz,
        tz_offset=tz_offset,
        accepting=accepting,
    )


def request(
    *,
    focus: tuple[str, ...] = ("leadership", "change management"),
    organization: str = "Acme",
    wants_other_org: bool = False,
    tz: str = "",
    tz_offset: int = 0,
    mentee_id: str = "UMENTEE1",
) -> MentorRequest:
    return MentorRequest(
        team_id=TEAM,
        mentee_id=mentee_id,
        goals="Lead my team through a reorganization",
        focus_areas=list(focus),
        organization=organization,
        wants_other_org=wants_other_org,
        tz=tz,
        tz_offset=tz_offset,
    )


def eligible(
    req: MentorRequest,
    m: MentorProfile,
    *,
    load: int = 0,
    rule: CrossCompanyRule = NO_RULE,
    excluded: frozenset[str] = frozenset(),
) -> bool:
    return is_eligible(req, m, load=load, rule=rule, excluded=excluded)


# -- focus areas: 50 points, shared in proportion to what the mentee asked for ------------


def test_all_focus_areas_shared_same_hours_and_free_capacity_score_85_before_the_goals() -> None:
    candidate = score_mentor(request(), mentor(), load=0, at=AT)

    assert candidate.score == 50 + 25 + 10
    assert candidate.shared_focus == ("leadership", "change management")
    assert candidate.overlap_hours == 8
    assert candidate.free_slots == 2


def test_half_the_focus_areas_give_half_the_focus_weight() -> None:
    candidate = score_mentor(request(), mentor(expertise=("leadership",)), load=0, at=AT)

    assert candidate.shared_focus == ("leadership",)
    assert candidate.score == 25 + 25 + 10


def test_one_of_three_focus_areas_gives_a_third() -> None:
    req = request(focus=("leadership", "communication", "career growth"))

    candidate = score_mentor(req, mentor(expertise=("communication",)), load=0, at=AT)

    assert candidate.score == round(50 / 3 + 25 + 10)


def test_no_shared_focus_area_gives_no_focus_points() -> None:
    candidate = score_mentor(request(), mentor(expertise=("technical skills",)), load=0, at=AT)

    assert candidate.shared_focus == ()
    assert candidate.score == 0 + 25 + 10


def test_a_request_without_focus_areas_gets_half_the_focus_weight() -> None:
    candidate = score_mentor(request(focus=()), mentor(), load=0, at=AT)

    assert candidate.score == 25 + 25 + 10


def test_focus_areas_compare_case_insensitively_in_the_mentees_words() -> None:
    m = mentor(expertise=("LEADERSHIP", "Change Management"))

    candidate = score_mentor(request(), m, load=0, at=AT)

    assert candidate.shared_focus == ("leadership", "change management")
    assert candidate.score == 85


def test_shared_focus_keeps_the_mentees_order() -> None:
    req = request(focus=("change management", "leadership"))

    candidate = score_mentor(
        req, mentor(expertise=("leadership", "change management")), load=0, at=AT
    )

    assert candidate.shared_focus == ("change management", "leadership")


# -- working hours: 25 points for a full shared 9-to-5 ------------------------------------


@pytest.mark.parametrize(
    ("offset_a", "offset_b", "overlap"),
    [
        (0, 0, 8),
        (0, 1 * HOUR, 7),
        (0, -3 * HOUR, 5),
        (-3 * HOUR, 0, 5),
        (HOUR, -5 * HOUR, 2),
        (0, 7 * HOUR, 1),
        (0, 8 * HOUR, 0),
        (0, 10 * HOUR, 0),
        (0, 12 * HOUR, 0),
        (5 * HOUR + 30 * 60, 0, 2),  # India: 5.5 hours apart, whole hours only
        (9 * HOUR, 12 * HOUR, 5),
    ],
)
def test_working_hours_overlap(offset_a: int, offset_b: int, overlap: int) -> None:
    assert working_hours_overlap(offset_a, offset_b) == overlap


def test_overlap_wraps_around_the_date_line() -> None:
    # UTC+12 (Auckland in winter) and UTC-11 (Pago Pago) are one hour apart, not 23.
    assert working_hours_overlap(12 * HOUR, -11 * HOUR) == 7
    assert working_hours_overlap(-11 * HOUR, 12 * HOUR) == 7
    assert working_hours_overlap(-10 * HOUR, 13 * HOUR) == 7  # Honolulu and Tonga
    assert working_hours_overlap(-11 * HOUR, 13 * HOUR) == 8  # a whole day apart


def test_offsets_more_than_a_day_apart_wrap_around_too() -> None:
    assert working_hours_overlap(14 * HOUR, -11 * HOUR) == 7
    req = request(tz_offset=14 * HOUR)
    candidate = score_mentor(req, mentor(tz_offset=-11 * HOUR), load=0, at=AT)
    assert candidate.overlap_hours == 7
    assert candidate.score <= 100


def test_overlap_uses_the_zones_offset_at_that_moment() -> None:
    january = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert utc_offset_seconds("Europe/Berlin", 0, january) == 1 * HOUR
    assert utc_offset_seconds("America/New_York", 0, january) == -5 * HOUR


def test_europe_and_the_us_are_an_hour_closer_in_the_weeks_between_their_dst_changes() -> None:
    # 2026: the US changes on 8 March, the EU on 29 March.
    moments = {
        datetime(2026, 1, 15, 12, tzinfo=UTC): 2,  # 6 hours apart
        datetime(2026, 3, 8, 6, tzinfo=UTC): 2,  # 1 am in New York: not changed yet
        datetime(2026, 3, 8, 8, tzinfo=UTC): 3,  # 4 am in New York: changed, 5 hours apart
        datetime(2026, 3, 16, 12, tzinfo=UTC): 3,
        datetime(2026, 3, 28, 12, tzinfo=UTC): 3,
        datetime(2026, 4, 6, 12, tzinfo=UTC): 2,  # both on summer time again
    }
    for at, overlap in moments.items():
        berlin = utc_offset_seconds("Europe/Berlin", 0, at)
        new_york = utc_offset_seconds("America/New_York", 0, at)
        assert working_hours_overlap(berlin, new_york) == overlap, at


def test_score_follows_dst_through_the_zone_names() -> None:
    req = request(tz="Europe/Berlin", tz_offset=0)
    m = mentor(tz="America/New_York", tz_offset=0)

    in_january = score_mentor(req, m, load=0, at=datetime(2026, 1, 15, 12, tzinfo=UTC))
    in_march = score_mentor(req, m, load=0, at=datetime(2026, 3, 16, 12, tzinfo=UTC))

    assert in_january.overlap_hours == 2
    assert in_january.score == 66  # 50 + 6.25 + 10
    assert in_march.overlap_hours == 3
    assert in_march.score == 69  # 50 + 9.375 + 10


def test_an_unknown_or_missing_zone_falls_back_to_slacks_offset() -> None:
    assert utc_offset_seconds("Mars/Olympus_Mons", 2 * HOUR, AT) == 2 * HOUR
    assert utc_offset_seconds("", -7 * HOUR, AT) == -7 * HOUR
    assert utc_offset_seconds("../../etc/passwd", 3 * HOUR, AT) == 3 * HOUR


def test_a_known_zone_wins_over_slacks_offset() -> None:
    assert utc_offset_seconds("Asia/Tokyo", 0, AT) == 9 * HOUR


# -- capacity: 10 points for room left ------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "load", "free", "score"),
    [
        (2, 0, 2, 85),
        (2, 1, 1, 80),
        (5, 1, 4, 83),
        (4, 3, 1, 78),  # 2.5 rounds with the rest: 77.5 -> 78 (half to even)
        (2, 2, 0, 75),
        (2, 5, 0, 75),  # over capacity (it was lowered): no negative points
        (0, 0, 0, 75),  # no capacity at all: no division by zero
    ],
)
def test_capacity_part(capacity: int, load: int, free: int, score: int) -> None:
    candidate = score_mentor(request(), mentor(capacity=capacity), load=load, at=AT)

    assert candidate.free_slots == free
    assert candidate.score == score


# -- the hard rules ------------------------------------------------------------------------


def test_an_ordinary_mentor_is_eligible() -> None:
    assert eligible(request(), mentor())


def test_a_paused_mentor_is_never_eligible() -> None:
    assert not eligible(request(), mentor(accepting=False))


def test_nobody_mentors_themselves() -> None:
    assert not eligible(request(mentee_id="UMENTOR1"), mentor("UMENTOR1"))


def test_excluded_mentors_are_not_eligible() -> None:
    assert not eligible(request(), mentor("UMENTOR1"), excluded=frozenset({"UMENTOR1"}))
    assert eligible(request(), mentor("UMENTOR1"), excluded=frozenset({"UMENTOR2"}))


def test_a_mentor_at_full_capacity_is_not_eligible() -> None:
    assert eligible(request(), mentor(capacity=2), load=1)
    assert not eligible(request(), mentor(capacity=2), load=2)
    assert not eligible(request(), mentor(capacity=2), load=3)


def test_cross_company_required_rules_out_the_same_organization() -> None:
    rule = CrossCompanyRule(required=True)

    assert not eligible(
        request(organization="  ACME   Corp "), mentor(organization="acme corp"), rule=rule
    )
    assert eligible(request(organization="Acme Corp"), mentor(organization="Globex"), rule=rule)


def test_same_organization_is_fine_when_nobody_asks_for_another() -> None:
    assert eligible(request(organization="Acme"), mentor(organization="acme"))


def test_a_mentee_who_wants_another_organization_gets_one() -> None:
    req = request(organization="Acme", wants_other_org=True)

    assert not eligible(req, mentor(organization="ACME"))
    assert eligible(req, mentor(organization="Globex"))


def test_unknown_organizations_are_not_the_same_organization() -> None:
    rule = CrossCompanyRule(required=True)

    assert eligible(request(organization=""), mentor(organization=""), rule=rule)


@pytest.mark.parametrize(
    ("mentee_org", "mentor_org"),
    [("Acme", "Globex"), ("Globex", "Acme"), ("  GLOBEX ", "acme"), ("acme", "GloBex")],
)
def test_competitors_never_meet_in_either_order(mentee_org: str, mentor_org: str) -> None:
    # Settings normalize the configured pairs (mentorbot/settings.py) before building the rule.
    rule = CrossCompanyRule(competitors=frozenset({frozenset({"acme", "globex"})}))

    assert not eligible(
        request(organization=mentee_org), mentor(organization=mentor_org), rule=rule
    )


def test_competitors_may_meet_everyone_else() -> None:
    rule = CrossCompanyRule(competitors=frozenset({frozenset({"acme", "globex"})}))

    assert eligible(request(organization="Acme"), mentor(organization="Initech"), rule=rule)
    assert eligible(request(organization="Initech"), mentor(organization="Globex"), rule=rule)


# -- ranking ------------------------------------------------------------------------------


def test_rank_orders_by_score_best_first() -> None:
    mentors = [
        mentor("UA", expertise=("technical skills",)),  # 35, but shares no focus area
        mentor("UB"),  # 85
        mentor("UC", expertise=("leadership",)),  # 60
    ]

    ranked = rank_mentors(
        request(), mentors, loads={}, rule=NO_RULE, excluded=frozenset(), at=AT, limit=10
    )
    weak = rank_mentors(
        request(),
        mentors,
        loads={},
        rule=NO_RULE,
        excluded=frozenset(),
        at=AT,
        limit=10,
        fit=FitRule(weak_fit=True),
    )

    assert [(c.mentor.user_id, c.score) for c in ranked] == [("UB", 85), ("UC", 60)]
    assert [(c.mentor.user_id, c.score) for c in weak] == [("UB", 85), ("UC", 60), ("UA", 35)]


def test_equal_scores_break_ties_on_user_id() -> None:
    mentors = [mentor("UZ"), mentor("UB"), mentor("UM")]

    ranked = rank_mentors(
        request(), mentors, loads={}, rule=NO_RULE, excluded=frozenset(), at=AT, limit=10
    )

    assert [c.mentor.user_id for c in ranked] == ["UB", "UM", "UZ"]


def test_rank_keeps_the_best_limit_and_skips_ineligible_mentors() -> None:
    mentors = [
        mentor("U1"),
        mentor("U2", accepting=False),
        mentor("U3"),
        mentor("U4", expertise=("leadership",)),
        mentor("U5"),
        mentor("U6"),
    ]

    ranked = rank_mentors(
        request(),
        mentors,
        loads={"U1": 2, "U3": 1},
        rule=NO_RULE,
        excluded=frozenset({"U5"}),
        at=AT,
        limit=2,
    )

    # U1 is full, U2 paused, U5 excluded; U3 lost 5 points of capacity.
    assert [(c.mentor.user_id, c.score) for c in ranked] == [("U6", 85), ("U3", 80)]


def test_rank_default_limit_is_three() -> None:
    mentors = [mentor(f"U{i}") for i in range(5)]

    ranked = rank_mentors(request(), mentors, loads={}, rule=NO_RULE, excluded=frozenset(), at=AT)

    assert [c.mentor.user_id for c in ranked] == ["U0", "U1", "U2"]


def test_rank_with_nobody_eligible_is_empty() -> None:
    ranked = rank_mentors(
        request(),
        [mentor("U1", accepting=False), mentor("UMENTEE1")],
        loads={},
        rule=NO_RULE,
        excluded=frozenset(),
        at=AT,
    )

    assert ranked == []


# -- the reason people read ---------------------------------------------------------------


def test_reason_for_two_shared_areas_from_another_organization() -> None:
    req = request(tz="Europe/Berlin")
    m = mentor(tz="America/New_York", organization="Globex")

    candidate = score_mentor(req, m, load=0, at=datetime(2026, 3, 16, 12, tzinfo=UTC))

    assert candidate.reason == (
        "shares leadership and change management; 3 working hours overlap; "
        "from another organization"
    )


def test_reason_joins_three_areas_and_says_hour_for_one() -> None:
    req = request(focus=("leadership", "communication", "change management"))
    m = mentor(expertise=("leadership", "communication", "change management"), tz_offset=7 * HOUR)

    candidate = score_mentor(req, m, load=0, at=AT)

    assert candidate.reason == (
        "shares leadership, communication and change management; 1 working hour overlap; "
        "from another organization"
    )


def test_reason_when_nothing_is_shared_in_the_same_organization() -> None:
    m = mentor(expertise=("technical skills",), organization=" acme ", tz_offset=9 * HOUR)

    candidate = score_mentor(request(organization="ACME"), m, load=0, at=AT)

    assert candidate.reason == "no shared focus areas; no working hours overlap"


def test_reason_does_not_claim_another_organization_when_the_mentors_is_unknown() -> None:
    candidate = score_mentor(
        request(), mentor(organization="", expertise=("leadership",)), load=0, at=AT
    )

    assert candidate.reason == "shares leadership; 8 working hours overlap"


def test_describe_directly() -> None:
    assert (
        describe(("leadership",), 1, other_org=False) == "shares leadership; 1 working hour overlap"
    )
    assert describe((), 0, other_org=True) == (
        "no shared focus areas; no working hours overlap; from another organization"
    )


# -- a property: whatever the inputs, a score is 0..100 ------------------------------------


def test_scores_stay_within_0_and_100_for_random_inputs() -> None:
    rng = random.Random(20260302)
    areas = list(DEFAULT_FOCUS_AREAS)
    quarter_hours = range(-12 * 4, 14 * 4 + 1)  # UTC-12 to UTC+14: every offset in use
    for _ in range(2000):
        req = request(
            focus=tuple(rng.sample(areas, rng.randint(0, len(areas)))),
            tz_offset=rng.choice(quarter_hours) * 900,
        )
        m = mentor(
            expertise=tuple(
                a.upper() if rng.random() < 0.3 else a
                for a in rng.sample(areas, rng.randint(0, len(areas)))
            ),
            capacity=rng.randint(0, 5),
            tz_offset=rng.choice(quarter_hours) * 900,
        )

        candidate = score_mentor(req, m, load=rng.randint(0, 7), at=AT)

        assert 0 <= candidate.score <= 100, (req, m, candidate)
        assert 0 <= candidate.overlap_hours <= 8, (req, m, candidate)
        assert set(candidate.shared_focus) <= set(req.focus_areas)
