"""A large program in the database, inserted in bulk: mentors, mentees, active pairs."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.model.partnership import DEFAULT_FOCUS_AREAS, MentorProfile
from storage import Database
from storage.models.matching import MentorProfileRow, MentorRequestRow, PartnershipRow

TEAM = "T0001"
STARTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ZONES = (
    ("Europe/London", 0),
    ("Europe/Berlin", 3600),
    ("America/New_York", -18000),
    ("America/Chicago", -21600),
    ("America/Los_Angeles", -28800),
    ("Asia/Kolkata", 19800),
    ("Asia/Tokyo", 32400),
    ("Australia/Sydney", 39600),
)
ORGS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark")


def mentor_rows(count: int, *, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        tz, offset = rng.choice(ZONES)
        rows.append(
            {
                "team_id": TEAM,
                "user_id": f"UMEN{n:05d}",
                "expertise": rng.sample(DEFAULT_FOCUS_AREAS, rng.randint(1, 3)),
                "bio": "Led teams through two reorganisations; happy to talk careers.",
                "organization": rng.choice(ORGS),
                "capacity": rng.randint(1, 3),
                "languages": ["English"],
                "tz": tz,
                "tz_offset": offset,
                "accepting": True,
                "created_at": STARTED,
                "updated_at": STARTED,
            }
        )
    return rows


def profiles(count: int, *, seed: int = 1) -> list[MentorProfile]:
    return [
        MentorProfile(**{k: v for k, v in row.items() if k not in ("created_at", "updated_at")})  # type: ignore[arg-type]
        for row in mentor_rows(count, seed=seed)
    ]


def seed(
    database: Database, *, mentors: int, mentees: int, pairs: int, started: datetime = STARTED
) -> None:
    """``mentors`` + ``mentees`` participants; the first ``pairs`` mentees have a mentor, their
    pairs made at ``started`` (a fixed day by default; kickoff day passes today)."""
    rng = random.Random(2)
    requests = []
    for n in range(mentees):
        tz, offset = rng.choice(ZONES)
        requests.append(
            {
                "team_id": TEAM,
                "mentee_id": f"UMTE{n:05d}",
                "goals": "Grow into leading a team",
                "focus_areas": rng.sample(DEFAULT_FOCUS_AREAS, 2),
                "organization": rng.choice(ORGS),
                "wants_other_org": False,
                "tz": tz,
                "tz_offset": offset,
                "status": "matched" if n < pairs else "matching",
                "created_at": started,
                "matched_at": started if n < pairs else None,
            }
        )
    partnerships = [
        {
            "team_id": TEAM,
            "mentor_id": f"UMEN{n % mentors:05d}",
            "mentee_id": f"UMTE{n:05d}",
            "request_id": n + 1,
            "started_at": started,
            "ends_at": started + timedelta(days=365),
            "status": "active",
            "end_reason": "",
        }
        for n in range(pairs)
    ]
    with database.engine.begin() as connection:
        for table, rows in (
            (MentorProfileRow, mentor_rows(mentors)),
            (MentorRequestRow, requests),
            (PartnershipRow, partnerships),
        ):
            for start in range(0, len(rows), 2000):
                connection.execute(sa.insert(table), rows[start : start + 2000])
