"""The accepting mentors of a workspace as columns, for ranking thousands at once.

Storage hands these over as plain columns (no bios, no names: ranking never reads them) with
the version they were read at; ``bot.matching.index`` keeps them per process and turns them
into arrays. A version is two counters per workspace that every committed change to mentor
profiles (``mentors``) or to proposals and partnerships (``loads``) moves on, so a replica
sees another's change on its next ask by reading one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class PoolVersion:
    mentors: int = 0
    loads: int = 0


@dataclass(frozen=True)
class MentorColumns:
    """One entry per accepting mentor, in user ID order, every column the same length."""

    user_ids: list[str] = field(default_factory=list)
    expertise: list[list[str]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    tzs: list[str] = field(default_factory=list)
    tz_offsets: list[int] = field(default_factory=list)
    program_ids: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.user_ids)
