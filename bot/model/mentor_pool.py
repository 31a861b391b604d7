"""The accepting mentors of a program owner's workspace as columns, for ranking thousands at once.

Storage hands these over as plain columns (no names; bios only for the goals' TF-IDF, which
keeps numbers, never the text) with the version they were read at; ``bot.matching.index``
keeps them per process and turns them into arrays. A version is two counters per workspace
that every committed change to mentor profiles (``mentors``) or to proposals and partnerships
(``loads``) moves on, so a replica sees another's change on its next ask by reading one row.

A program shared with other workspaces (``bot.programs.sharing``) draws on their mentors too:
the owner's pool holds its own mentors and every active member workspace's mentors in its
programs (``team_ids``), and its version holds each member workspace's counters as well
(``shared``), so a change in any workspace involved, or a member joining or leaving, is seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.model.partnership import MentorProfile


@dataclass(frozen=True, order=True)
class PoolVersion:
    mentors: int = 0
    loads: int = 0
    # each active member workspace of the owner's shared programs: (team, mentors, loads)
    shared: tuple[tuple[str, int, int], ...] = ()
    # moved where profile rows went without a change number, or members changed: the owner's,
    # then each member workspace's (team, structure)
    structure: int = 0
    shared_structure: tuple[tuple[str, int], ...] = ()

    @property
    def mentors_key(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """What the profiles' columns depend on (the loads may move alone)."""
        return self.mentors, tuple((team, mentors) for team, mentors, _ in self.shared)

    @property
    def loads_key(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        return self.loads, tuple((team, loads) for team, _, loads in self.shared)

    @property
    def structure_key(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        """Whether the pool can be brought up to date from its rows' change numbers."""
        return self.structure, self.shared_structure

    def mentors_since(self, older: PoolVersion, owner: str) -> dict[str, int]:
        """Each workspace whose profiles moved since ``older`` (the same workspaces), with
        the change number ``older`` saw: its rows past that are what changed."""
        before = {team: count for team, count, _ in older.shared}
        moved = {
            team: before.get(team, 0)
            for team, count, _ in self.shared
            if count != before.get(team, 0)
        }
        if self.mentors != older.mentors:
            moved[owner] = older.mentors
        return moved

    @property
    def teams(self) -> tuple[str, ...]:
        """The member workspaces this version spans (besides the owner)."""
        return tuple(team for team, _, _ in self.shared)

    def with_mentors_of(self, older: PoolVersion) -> PoolVersion:
        """This version's loads with ``older``'s profiles (the same workspaces): what an entry
        whose profiles were read at ``older`` and loads now has seen."""
        mentors = {team: count for team, count, _ in older.shared}
        return PoolVersion(
            mentors=older.mentors,
            loads=self.loads,
            shared=tuple((t, mentors.get(t, m), loads) for t, m, loads in self.shared),
            structure=older.structure,
            shared_structure=older.shared_structure,
        )

    def covers(self, other: PoolVersion) -> bool:
        """Whether these profiles are as new as ``other``'s or newer, in every workspace."""
        mine = {team: count for team, count, _ in self.shared}
        structure = dict(self.shared_structure)
        return (
            self.mentors >= other.mentors
            and self.structure >= other.structure
            and all(mine.get(team, -1) >= count for team, count, _ in other.shared)
            and all(structure.get(team, -1) >= count for team, count in other.shared_structure)
        )


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
    languages: list[list[str]] = field(default_factory=list)
    bios: list[str] = field(default_factory=list)  # private: read into numbers, not kept
    # each mentor's own workspace (empty: all the owner's, a pool of one workspace)
    team_ids: list[str] = field(default_factory=list)
    # the owner's shared programs: program ID -> its active member workspaces
    members: dict[int, frozenset[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # workspace -> its installed name
    # read as changes since a version (``MentorRepository.pool_changes``): the people whose
    # rows changed and who are not in the pool (any more), as (workspace, user ID)
    left: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.user_ids)

    @classmethod
    def of(cls, mentors: Sequence[MentorProfile]) -> MentorColumns:
        """The columns of these profiles (the fakes' and tests' way to a pool)."""
        return cls(
            user_ids=[m.user_id for m in mentors],
            expertise=[list(m.expertise) for m in mentors],
            organizations=[m.organization for m in mentors],
            capacities=[m.capacity for m in mentors],
            tzs=[m.tz for m in mentors],
            tz_offsets=[m.tz_offset for m in mentors],
            program_ids=[m.program_id for m in mentors],
            languages=[list(m.languages) for m in mentors],
            bios=[m.bio for m in mentors],
            team_ids=[m.team_id for m in mentors],
        )
