"""A suggestion worth the mentee's time: languages both speak, the fit floor, and the goals
weighed against the mentors' profiles (TF-IDF), each said in the reason."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.matching.scores import (
    Shortfall,
    describe,
    is_eligible,
    profile_texts,
    rank_mentors,
    score_mentor,
)
from bot.matching.text import FULL_MATCH, GoalsFit, ProfileTexts, StemCache, words
from bot.model.languages import known_languages, language_key, parse_languages
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule

TEAM = "T0001"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
HOUR = 3600
NO_RULE = CrossCompanyRule()
REORG_GOALS = "Lead my first team through a reorganization"


def mentor(
    user_id: str = "UMENTOR1",
    *,
    expertise: tuple[str, ...] = ("leadership",),
    bio: str = "",
    languages: tuple[str, ...] = (),
    tz_offset: int = 0,
) -> MentorProfile:
    return MentorProfile(
        team_id=TEAM,
        user_id=user_id,
        expertise=list(expertise),
        bio=bio,
        organization="Globex",
        capacity=2,
        languages=list(languages),
        tz="",
        tz_offset=tz_offset,
    )


def request(
    *,
    goals: str = REORG_GOALS,
    focus: tuple[str, ...] = ("leadership",),
    languages: tuple[str, ...] = (),
    tz_offset: int = 0,
) -> MentorRequest:
    return MentorRequest(
        team_id=TEAM,
        mentee_id="UMENTEE1",
        goals=goals,
        focus_areas=list(focus),
        organization="Acme",
        wants_other_org=False,
        tz="",
        tz_offset=tz_offset,
        languages=list(languages),
    )


def rank(
    req: MentorRequest, mentors: list[MentorProfile], fit: FitRule = DEFAULT_FIT
) -> list[tuple[str, int, str]]:
    found = rank_mentors(
        req, mentors, loads={}, rule=NO_RULE, excluded=frozenset(), at=AT, limit=10, fit=fit
    )
    return [(c.mentor.user_id, c.score, c.reason) for c in found]


# -- languages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("English, Spanish", ["English", "Spanish"]),
        ("es and EN / Deutsch", ["Spanish", "English", "German"]),
        ("español; inglés", ["Spanish", "English"]),
        ("English (fluent), english", ["English"]),
        ("Klingon", ["Klingon"]),
        ("", []),
        (" , ,", []),
    ],
)
def test_languages_as_people_type_them(typed: str, named: list[str]) -> None:
    assert parse_languages(typed) == named


def test_the_same_language_meets_under_its_codes_and_native_names() -> None:
    assert {language_key(n) for n in ("es", "Español", "SPANISH", "castellano")} == {"Spanish"}
    assert language_key("Klingon") == language_key("  klingon ") == "klingon"
    assert known_languages(["en", "English", "EN"]) == ["English"]


def test_a_mentor_who_speaks_none_of_the_mentees_languages_is_never_suggested() -> None:
    spanish = request(languages=("Spanish",))
    mentors = [
        mentor("UA", languages=("English",)),
        mentor("UB", languages=("English", "Español")),
        mentor("UC"),  # named none: the program's default, English
    ]

    assert [m for m, _, _ in rank(spanish, mentors)] == ["UB"]
    assert "both speak Spanish" in rank(spanish, mentors)[0][2]
    # A program that allows any language suggests everyone, and says nothing of languages.
    anyone = rank(spanish, mentors, FitRule(any_language=True))
    assert [m for m, _, _ in anyone] == ["UA", "UB", "UC"]


def test_who_names_no_language_speaks_the_programs_default_ones() -> None:
    silent = request()
    assert [m for m, _, _ in rank(silent, [mentor("UA"), mentor("UB", languages=("de",))])] == [
        "UA"
    ]
    german = FitRule(default_languages=("German",))
    assert [
        m for m, _, _ in rank(silent, [mentor("UA"), mentor("UB", languages=("de",))], german)
    ] == ["UA", "UB"]
    # English shared by default is not worth saying; another language is.
    assert "speak" not in rank(silent, [mentor("UA")])[0][2]
    # Only the languages both speak count: Spanish asked for but not spoken is not said.
    both = request(languages=("English", "Spanish"))
    assert "speak" not in rank(both, [mentor("UA", languages=("en",))])[0][2]
    spanish = mentor("UA", languages=("en", "es"))
    assert "both speak English and Spanish" in rank(both, [spanish])[0][2]


# -- the fit floor ------------------------------------------------------------------------


def test_no_shared_focus_area_or_no_working_hour_is_below_the_floor() -> None:
    mentors = [
        mentor("UA"),
        mentor("UB", expertise=("technical skills",)),  # shares no focus area
        mentor("UC", tz_offset=9 * HOUR),  # London and Tokyo: no working hour in common
    ]

    assert [m for m, _, _ in rank(request(), mentors)] == ["UA"]
    weak = rank(request(), mentors, FitRule(weak_fit=True))
    assert {m for m, _, _ in weak} == {"UA", "UB", "UC"}
    reasons = {m: reason for m, _, reason in weak}
    assert reasons["UB"].startswith("no shared focus areas")
    assert "no working hours overlap" in reasons["UC"]


def test_a_mentee_who_named_no_focus_area_is_not_held_to_one() -> None:
    assert [m for m, _, _ in rank(request(focus=()), [mentor("UA", expertise=("x",))])] == ["UA"]


def test_the_floor_and_languages_are_counted_for_the_coordinators() -> None:
    why = Shortfall(with_room=4, other_language=2, no_shared_focus=1, no_overlap=1)
    assert why.explain(["Spanish"]) == (
        "4 mentors have room, but 2 speak none of their languages (Spanish), 1 shares no focus "
        "area with them and 1 shares no working hours with them."
    )
    assert Shortfall().explain([]) == "No mentor who may be paired with them has room."
    assert Shortfall(with_room=1, no_overlap=1).explain([]) == (
        "1 mentor has room, but 1 shares no working hours with them."
    )


# -- the goals against the profiles -------------------------------------------------------


def test_words_are_stemmed_and_function_words_dropped() -> None:
    assert [stem for stem, _ in words("Leading my teams through the reorganizations")] == [
        "lead",
        "team",
        "reorgan",
    ]
    assert words("I want to grow and learn, 2026!") == []


def test_the_mentor_whose_bio_meets_the_goals_ranks_first_and_the_reason_says_why() -> None:
    mentors = [
        mentor("UA", bio="I love databases and query planning."),
        mentor("UB", bio="Twenty years of leading teams through reorganizations."),
    ]

    ranked = rank(request(), mentors)

    assert [m for m, _, _ in ranked] == ["UB", "UA"]
    assert ranked[0][1] > ranked[1][1]
    assert ranked[0][2] == (
        'shares leadership; 8 working hours overlap; the goals\' "lead", "reorganization" and '
        '"team" meet the profile; from another organization'
    )
    assert "meet" not in ranked[1][2]


def test_the_reason_quotes_the_mentees_words_never_the_bios() -> None:
    texts = ProfileTexts(["UA"], ["leadership Secret project Nightingale: leading reorgs"])
    fit = texts.fit(texts.query("Leads a reorg"), "UA")
    assert fit.words == ("leads", "reorg")  # as strong as each other: in word order
    assert "nightingale" not in str(fit) and "leading" not in fit.words


def test_rare_words_weigh_more_than_words_every_profile_uses() -> None:
    texts = ProfileTexts(
        ["UA", "UB", "UC"],
        ["people negotiation", "people and teams", "people in reorganizations"],
    )
    rare, common = texts.query("negotiation"), texts.query("people")
    assert texts.fit(rare, "UA").similarity > texts.fit(common, "UA").similarity


def test_a_full_goals_match_takes_a_perfect_mentor_to_100() -> None:
    full = GoalsFit(similarity=FULL_MATCH, words=("reorganization",))
    assert score_mentor(request(), mentor(), load=0, at=AT, goals=full).score == 100
    beyond = GoalsFit(similarity=1.0, words=("reorganization",))
    assert score_mentor(request(), mentor(), load=0, at=AT, goals=beyond).score == 100


def test_the_same_mentors_in_any_order_give_the_same_numbers() -> None:
    rng = random.Random(7)
    bios = ["leading teams", "reorgs and hiring", "public speaking", "", "teams teams reorgs"]
    mentors = [mentor(f"U{i}", bio=rng.choice(bios)) for i in range(12)]
    shuffled = mentors[:]
    rng.shuffle(shuffled)
    a, b = profile_texts(mentors), profile_texts(shuffled)
    query_a, query_b = a.query(REORG_GOALS), b.query(REORG_GOALS)
    assert [a.fit(query_a, m.user_id) for m in mentors] == [
        b.fit(query_b, m.user_id) for m in mentors
    ]
    assert list(a.similarities(query_a)) == [a.fit(query_a, u).similarity for u in a.user_ids]


@pytest.mark.parametrize("seed", range(6))
def test_the_fits_of_many_pairs_at_once_are_each_pairs_fit_bit_for_bit(seed: int) -> None:
    """A cohort weighs its pairs' goals all at once (``ProfileTexts.fits``): the same numbers
    and the same words as one ``fit`` per pair, with profiles and goals of many words (more
    than eight met at once: a sum NumPy would add pairwise), words met by nobody, empty
    goals, mentors without a profile, and a patched build."""
    rng = random.Random(900 + seed)
    vocabulary = [f"{a}{b}" for a in ("lead", "team", "grow", "speak", "hire") for b in "abcdef"]

    def text(most: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, most)))

    users = [f"U{n:03d}" for n in range(40)]
    cache = StemCache()
    texts = ProfileTexts(users, [text(60) for _ in users], cache=cache)
    if seed % 2:
        texts = texts.patched({users[3]: text(60), users[5]: None}, cache.fresh())
    goals = [text(40) for _ in range(12)] + ["", "zebra quokka", "leada leada leada"]
    queries = [texts.query(g) for g in goals]
    pairs = [(rng.randrange(len(queries)), rng.choice([*users, "UNOBODY"])) for _ in range(400)]
    assert max(len(texts.fit(queries[q], u).words) for q, u in pairs) == 3
    found = texts.fits(queries, pairs)
    assert found == [texts.fit(queries[q], u) for q, u in pairs]
    assert texts.fits(queries, []) == []
    nothing_met = [(len(goals) - 2, user) for user in users[:5]]  # "zebra quokka"
    assert texts.fits(queries, nothing_met) == [texts.fit(queries[q], u) for q, u in nothing_met]


def test_scores_stay_within_0_and_100_with_the_goals() -> None:
    rng = random.Random(20261205)
    for _ in range(500):
        goals = GoalsFit(similarity=rng.random(), words=())
        m = mentor(tz_offset=rng.randint(-12, 14) * HOUR)
        candidate = score_mentor(request(), m, load=rng.randint(0, 3), at=AT, goals=goals)
        assert 0 <= candidate.score <= 100


# -- the reason stays short enough for a Block Kit section ---------------------------------


def test_the_reason_is_short_whatever_the_goals() -> None:
    long_words = tuple("x" * 200 for _ in range(3))
    reason = describe(
        ("a" * 80,) * 20,
        8,
        other_org=True,
        languages=("Spanish", "German"),
        goal_words=long_words,
    )
    assert len(reason) < 2000
    assert "x" * 31 not in reason


def test_eligibility_takes_the_language_rule() -> None:
    spanish = request(languages=("Spanish",))
    english = mentor(languages=("English",))
    assert not is_eligible(spanish, english, load=0, rule=NO_RULE, excluded=frozenset())
    assert is_eligible(
        spanish,
        english,
        load=0,
        rule=NO_RULE,
        excluded=frozenset(),
        fit=FitRule(any_language=True),
    )
