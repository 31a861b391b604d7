"""The coordinators' user group and the report schedule: mistakes are named, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorbot.cli import main
from mentorbot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MENTORBOT_COORDINATOR_GROUP", "MENTORBOT_REPORT_SCHEDULE", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_a_user_group_is_a_subteam_id_and_the_schedule_one_of_three(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MENTORBOT_COORDINATOR_GROUP", "@program-team")
    monkeypatch.setenv("MENTORBOT_REPORT_SCHEDULE", "daily")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "MENTORBOT_COORDINATOR_GROUP: not a Slack user group ID (like S0123ABC)" in err
    assert "MENTORBOT_REPORT_SCHEDULE: choose one of off, weekly, monthly" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("bad", ["U0123ABC", "s0123abc", "S01 23", "S"])
def test_what_is_not_a_group_id(bad: str) -> None:
    with pytest.raises(SettingsError):
        load_settings(_env_file=None, mentorbot_coordinator_group=bad)


def test_the_defaults_and_good_values() -> None:
    settings = load_settings(_env_file=None)
    assert settings.mentorbot_coordinator_group is None
    assert settings.mentorbot_report_schedule == "monthly"
    chosen = load_settings(
        _env_file=None, mentorbot_coordinator_group=" S0123ABC ", mentorbot_report_schedule="Weekly"
    )
    assert chosen.mentorbot_coordinator_group == "S0123ABC"
    assert chosen.mentorbot_report_schedule == "weekly"
    assert (
        load_settings(_env_file=None, mentorbot_coordinator_group="").mentorbot_coordinator_group
        is None
    )


def test_coordinators_may_be_named_for_one_workspace() -> None:
    from bot.roster import Roster

    settings = load_settings(
        _env_file=None, mentorbot_coordinators="UALL1, T0001:UONE1, T0002:UTWO1, E0009:UGRID1"
    )
    roster = Roster(uow=lambda: None, rules=settings.program_rules())  # type: ignore[arg-type,return-value]
    assert roster.listed("T0001") == ("UALL1", "UONE1")
    assert roster.listed("T0002") == ("UALL1", "UTWO1")
    assert roster.is_coordinator("T0001", "UONE1")
    assert not roster.is_coordinator("T0002", "UONE1")  # another workspace's coordinator
    assert not roster.is_coordinator("T0001", "")


@pytest.mark.parametrize("bad", ["T0001:", ":U1", "t0001:U1", "T0001:C0PROGRAM", "T1:U1:U2"])
def test_what_is_not_a_coordinator_entry(bad: str) -> None:
    with pytest.raises(SettingsError, match="T012AB:U012ABCDEF"):
        load_settings(_env_file=None, mentorbot_coordinators=bad)
