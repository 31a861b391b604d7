"""A workspace that uninstalls: its tokens are forgotten, nothing more is sent there, its data
is kept for the retention period and then deleted, row by row, while the other workspace
carries on untouched. Coming back within the period brings everything back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.model.workspaces import RemovalReason
from handlers.workspaces.listeners import NOT_INSTALLED
from mentorbot.cli import main
from tests.conftest import RunningBot
from tests.e2e.journeys import matched_pair
from tests.support.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    as_team,
    in_workspace,
    install,
    oauth_settings,
    outbox,
    team_rows,
)

RETENTION_DAYS = 30


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return oauth_settings(mentorbot_retention_days=RETENTION_DAYS)


@pytest.fixture
def two_programs(bot: RunningBot) -> RunningBot:
    """Two installed workspaces, each with a matched pair and its year of jobs planned."""
    bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    for team in ("T1", "T2"):
        bot.fake.add_user(f"UMENTOR{team}", team_id=team, tz="Europe/London")
        bot.fake.add_user(f"UMENTEE{team}", team_id=team, tz="Europe/London")
        install(bot, team)
        matched_pair(in_workspace(bot, team), f"UMENTOR{team}", f"UMENTEE{team}")
    bot.settle()
    return bot


def uninstall(bot: RunningBot, team: str, event: str = "app_uninstalled", **more: Any) -> None:
    bot.fake.uninstall(team)
    reply = as_team(bot, team).event({"type": event, **more})
    assert reply.status == 200, reply.text


def installed_teams(bot: RunningBot) -> set[str]:
    return {
        team
        for team, rows in ((t, team_rows(bot, t)) for t in ("T1", "T2"))
        if rows["slack_installations"] and rows["slack_bots"]
    }


def test_uninstalling_forgets_the_tokens_and_suspends_what_was_pending(
    two_programs: RunningBot,
) -> None:
    bot = two_programs
    pending_t1, pending_t2 = outbox(bot, "T1", "pending"), outbox(bot, "T2", "pending")
    assert pending_t1 > 0 and pending_t2 > 0
    t2_before = team_rows(bot, "T2")

    uninstall(bot, "T1")

    assert installed_teams(bot) == {"T2"}
    assert outbox(bot, "T1", "pending") == 0
    assert outbox(bot, "T1", "cancelled") >= pending_t1
    assert outbox(bot, "T2", "pending") == pending_t2
    assert team_rows(bot, "T2") == t2_before
    (removal,) = bot.runtime.services.workspaces.removals()
    assert removal.team_id == "T1"
    assert removal.purge_after == bot.clock.now() + timedelta(days=RETENTION_DAYS)

    # a request from the removed workspace is refused, politely, and changes nothing
    as_team(bot, "T1").command("offer", user="UMENTORT1")
    bot.settle()
    assert bot.fake.last("response_url").params["text"] == NOT_INSTALLED

    # a year later, nothing at all went to the removed workspace; the other one carried on
    calls = len(bot.fake.calls)
    for _ in range(6):
        bot.tick(timedelta(days=7))
    later = bot.fake.calls[calls:]
    assert all(bot.fake.team_of(c.token) != "T1" for c in later)
    assert any(bot.fake.team_of(c.token) == "T2" for c in later)


def test_slack_sending_both_events_and_retrying_them_removes_the_workspace_once(
    two_programs: RunningBot,
) -> None:
    bot = two_programs
    uninstall(bot, "T1", "tokens_revoked", tokens={"oauth": [], "bot": ["UBOT"]})
    first = bot.runtime.services.workspaces.removals()
    bot.clock.advance(timedelta(days=3))

    uninstall(bot, "T1")
    uninstall(bot, "T1")

    assert bot.runtime.services.workspaces.removals() == first
    assert installed_teams(bot) == {"T2"}


def test_user_tokens_revoked_alone_change_nothing(two_programs: RunningBot) -> None:
    bot = two_programs
    reply = as_team(bot, "T1").event(
        {"type": "tokens_revoked", "tokens": {"oauth": ["UMENTORT1"], "bot": []}}
    )
    assert reply.status == 200
    assert installed_teams(bot) == {"T1", "T2"}
    assert bot.runtime.services.workspaces.removals() == []


def test_the_data_goes_after_the_retention_period_and_only_that_workspaces(
    two_programs: RunningBot,
) -> None:
    bot = two_programs
    t1_before, t2_before = team_rows(bot, "T1"), team_rows(bot, "T2")
    assert t1_before["partnerships"] == 1 and t1_before["outgoing_messages"] > 0
    uninstall(bot, "T1")
    workspaces = bot.runtime.services.workspaces

    bot.clock.advance(timedelta(days=RETENTION_DAYS - 1))
    assert workspaces.purge_due() == []
    assert team_rows(bot, "T1")["partnerships"] == 1

    bot.clock.advance(timedelta(days=1, minutes=1))
    (report,) = workspaces.purge_due()

    assert report.team_id == "T1"
    assert report.rows["partnerships"] == 1
    assert set(team_rows(bot, "T1").values()) == {0}  # every table, not a list of some
    assert team_rows(bot, "T2") == t2_before
    assert workspaces.removals() == []


def test_the_scheduler_looks_for_workspaces_to_purge(bot: RunningBot) -> None:
    bot.runtime.start_scheduler()
    try:
        assert bot.runtime.scheduler is not None
        job = bot.runtime.scheduler.get_job("purge")
        assert job is not None
        assert job.func == bot.runtime.services.workspaces.purge_due
        assert bot.runtime.scheduler.get_job("oauth_states") is not None
    finally:
        assert bot.runtime.scheduler is not None
        bot.runtime.scheduler.shutdown(wait=True)
        bot.runtime.scheduler = None


def test_coming_back_within_the_retention_period_keeps_everything(
    two_programs: RunningBot,
) -> None:
    bot = two_programs
    pending = outbox(bot, "T1", "pending")
    t1_before = team_rows(bot, "T1")
    uninstall(bot, "T1")
    bot.clock.advance(timedelta(days=RETENTION_DAYS - 2))

    page = install(bot, "T1")

    assert "Mentorbot is installed" in page.text
    assert bot.runtime.services.workspaces.removals() == []
    assert outbox(bot, "T1", "pending") == pending
    bot.clock.advance(timedelta(days=5))
    assert bot.runtime.services.workspaces.purge_due() == []
    after = team_rows(bot, "T1")
    assert after["partnerships"] == t1_before["partnerships"]
    assert after["mentor_profiles"] == t1_before["mentor_profiles"]
    # and what was waiting goes out again, with the new token
    calls = len(bot.fake.calls)
    # Monday 13 April, 16:00 in London: a week on would be a Saturday, when what the bot
    # starts waits for the people's working day.
    bot.tick(timedelta(days=9))
    sent = [c for c in bot.fake.calls[calls:] if c.method == "chat.postMessage"]
    t1_sent = [c for c in sent if bot.fake.team_of(c.token) == "T1"]
    assert t1_sent
    assert {c.token for c in t1_sent} == {bot.fake.bot_token("T1")}
    assert all(c.outcome == "ok" for c in t1_sent)


def test_an_installation_always_wins_over_a_purge(two_programs: RunningBot) -> None:
    """A removal that outlived a reinstall (saved, then the database failed) purges nothing."""
    bot = two_programs
    t1_before = team_rows(bot, "T1")
    pending = outbox(bot, "T1", "pending")
    bot.runtime.services.workspaces.removed("T1", RemovalReason.UNINSTALLED)  # still installed
    bot.clock.advance(timedelta(days=RETENTION_DAYS + 1))

    (report,) = bot.runtime.services.workspaces.purge_due()

    assert report.rows == {}
    assert bot.runtime.services.workspaces.removals() == []
    assert team_rows(bot, "T1")["partnerships"] == t1_before["partnerships"]
    assert outbox(bot, "T1", "pending") == pending > 0


def test_a_single_token_bot_restarted_after_a_reinstall_keeps_its_workspace(
    bot: RunningBot,
) -> None:
    from mentorbot.wiring import reinstate_token_workspace

    single = bot.runtime.settings.model_copy(
        update={"slack_bot_token": "xoxb-single", "slack_client_id": None}
    )
    bot.runtime.services.workspaces.removed("T0001", RemovalReason.UNINSTALLED)
    runtime = type(bot.runtime)(**{**bot.runtime.__dict__, "settings": single})

    reinstate_token_workspace(runtime.settings, runtime.services)

    assert bot.runtime.services.workspaces.removals() == []


# ---- `mentorbot purge` --------------------------------------------------------------------------


@pytest.fixture
def cli_environment(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env
    url = bot.runtime.database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MENTORBOT_RETENTION_DAYS", str(RETENTION_DAYS))
    return monkeypatch


def test_purge_on_demand_deletes_one_removed_workspace_at_once(
    two_programs: RunningBot, cli_environment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = two_programs
    t2_before = team_rows(bot, "T2")
    uninstall(bot, "T1")

    now = ["--now", bot.clock.now().isoformat()]  # the test's clock, not the wall clock

    assert main(["purge", *now]) == 0  # nothing is due yet
    out = capsys.readouterr().out
    assert "nothing to purge" in out
    assert "kept: T1 until" in out
    assert team_rows(bot, "T1")["partnerships"] == 1

    assert main(["purge", "--team", "T1", "--dry-run", *now]) == 0
    assert "T1" in capsys.readouterr().out
    assert team_rows(bot, "T1")["partnerships"] == 1

    assert main(["purge", "--team", "T1", *now]) == 0
    out = capsys.readouterr().out
    assert "purged T1:" in out
    assert "partnerships 1" in out
    assert set(team_rows(bot, "T1").values()) == {0}
    assert team_rows(bot, "T2") == t2_before


def test_purge_as_of_a_later_instant_takes_what_is_due_by_then(
    two_programs: RunningBot, cli_environment: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = two_programs
    uninstall(bot, "T1")
    later = (bot.clock.now() + timedelta(days=RETENTION_DAYS + 1)).isoformat()

    assert main(["purge", "--now", later]) == 0

    assert "purged T1:" in capsys.readouterr().out
    assert set(team_rows(bot, "T1").values()) == {0}
    assert team_rows(bot, "T2")["partnerships"] == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["purge", "--team", "acme"], "is not a Slack workspace ID"),
        (["purge", "--now", "next tuesday"], "is not an ISO-8601 time"),
        (["purge", "--team", "T2"], "--team T2: not a removed workspace"),
    ],
)
def test_purge_refuses_bad_input_with_exit_2_and_deletes_nothing(
    two_programs: RunningBot,
    cli_environment: Any,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    says: str,
) -> None:
    bot = two_programs
    uninstall(bot, "T1")
    before = team_rows(bot, "T1")

    assert cli(argv) == 2

    captured = capsys.readouterr()
    assert says in captured.err
    assert "Traceback" not in captured.err
    assert team_rows(bot, "T1") == before


def cli(argv: list[str]) -> int:
    """``mentorbot ...`` as the shell sees it: argparse's refusals exit too."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
