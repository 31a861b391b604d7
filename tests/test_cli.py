"""`mentorbot`: settings mistakes are explained (exit 2), migrate and tick work on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mentorbot.cli import main

SLACK_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "MENTORBOT_COORDINATORS",
    "MENTORBOT_FOCUS_AREAS",
    "MENTORBOT_COMPETITORS",
    "PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test starts from an empty environment in an empty folder (so no .env is read)."""
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_with_a_token_but_no_signing_secret_says_what_to_set_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET is not set" in err
    assert "Traceback" not in err


def test_every_invalid_setting_is_named_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "alice,U012ABC")
    monkeypatch.setenv("PORT", "seventy")
    monkeypatch.setenv("MENTORBOT_COMPETITORS", "Acme")
    monkeypatch.setenv("SLACK_API_URL", "slack.example")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "MENTORBOT_COORDINATORS: not Slack user IDs (like U012ABCDEF" in err
    assert "workspace): alice (got" in err
    assert "PORT:" in err
    assert "MENTORBOT_COMPETITORS: 'Acme' is not a pair" in err
    assert "SLACK_API_URL: must start with https://" in err
    assert "Traceback" not in err


def test_a_token_of_the_wrong_kind_is_explained_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-secret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN should start with xoxb-" in err
    assert "SLACK_APP_TOKEN should start with xapp-" in err
    assert "secret" not in err.replace("Signing Secret", "")


def test_a_bad_database_url_is_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url")
    assert main(["migrate"]) == 2
    assert "DATABASE_URL: not a database URL" in capsys.readouterr().err


def test_migrate_creates_the_schema_from_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # and again: nothing to do
    tables = set(
        sa.inspect(sa.create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")).get_table_names()
    )
    assert {"mentor_profiles", "mentor_requests", "partnerships", "outgoing_messages"} <= tables
    assert "up to date" in capsys.readouterr().out


def test_migrate_encrypts_the_plain_bios_it_finds_with_the_configured_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`mentorbot migrate` hands the key to the migrations (0015 encrypts old bios)."""
    from alembic import command

    from storage import connect
    from storage.crypto import Cipher
    from storage.database import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    database = connect(url)
    command.upgrade(alembic_config(database.engine), "0013")
    with database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO mentor_profiles (team_id, user_id, expertise, bio, organization,"
                " capacity, languages, tz, tz_offset, accepting) VALUES ('T1', 'UM1', '[]',"
                " 'Twenty years of salary talks', '', 1, '[]', 'UTC', 0, 1)"
            )
        )
    database.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MENTORBOT_ENCRYPTION_KEY", Cipher.generate_key())
    assert main(["migrate"]) == 0
    with sa.create_engine(url).connect() as connection:
        bio = connection.scalar(sa.text("SELECT bio FROM mentor_profiles"))
    assert bio.startswith("gAAAAA") and "salary" not in bio


def test_the_default_database_is_a_file_in_the_working_directory(tmp_path: Path) -> None:
    assert main(["migrate"]) == 0
    assert (tmp_path / "mentorbot.db").exists()


def test_tick_needs_an_iso_time(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["tick", "--now", "next tuesday"])
    assert exit_.value.code == 2
    assert "not an ISO-8601 time" in capsys.readouterr().err


def test_tick_dry_run_lists_what_would_go_out_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from bot.model.messages.matching import RequestToMentor
    from bot.model.outbox import OutgoingMessage
    from storage import SqlUnitOfWork, connect

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    database = connect(url)
    database.migrate()
    with SqlUnitOfWork(database.sessions) as uow:
        for day, who in [(2, "UEARLY"), (9, "ULATER")]:
            uow.outbox.add(
                OutgoingMessage(
                    team_id="T1",
                    kind="mentor.request_reminder",
                    recipient=who,
                    key=f"k{day}",
                    due_at=datetime(2026, 3, day, 9, tzinfo=UTC),
                    payload=RequestToMentor(
                        proposal_id=day, mentee_id="UE1", goals="", focus_areas=(), reason=""
                    ),
                )
            )
        uow.commit()
    assert main(["tick", "--dry-run", "--now", "2026-03-05T00:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "1 due as of 2026-03-05T00:00:00+00:00" in out
    assert "UEARLY" in out
    assert "ULATER" not in out
    with SqlUnitOfWork(database.sessions) as uow:
        assert len(uow.outbox.due_preview(now=datetime(2026, 3, 5, tzinfo=UTC), limit=10)) == 1


def test_serve_without_a_token_says_what_to_set_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in err
    assert "Traceback" not in err


def test_serve_with_an_app_token_explains_that_it_answers_over_http(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-real-looking")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "`mentorbot serve` answers Slack over HTTP" in err
    assert "xapp-1-real-looking" not in err
