"""Installing by OAuth needs its credentials and a key to seal tokens: each missing piece is
named at start-up (exit 2), never a traceback and never the secret itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation

from handlers.workspaces.listeners import TeamClients, authorization_url
from mentorbot.cli import main
from mentorbot.sandbox import wants_sandbox
from mentorbot.settings import Settings
from storage import connect
from storage.crypto import Cipher
from storage.installations import SealedInstallationStore, SqlOAuthStateStore

VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "MENTORBOT_ENCRYPTION_KEY",
    "DATABASE_URL",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env


def oauth_environment(monkeypatch: pytest.MonkeyPatch, **skip: bool) -> None:
    values = {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "client-secret-value",
        "SLACK_SIGNING_SECRET": "signing-secret-value",
        "MENTORBOT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    for name, value in values.items():
        if not skip.get(name):
            monkeypatch.setenv(name, value)


def test_oauth_without_an_encryption_key_names_the_variable_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth_environment(monkeypatch, MENTORBOT_ENCRYPTION_KEY=True)

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "MENTORBOT_ENCRYPTION_KEY is not set" in err
    assert "Fernet.generate_key()" in err
    assert "Traceback" not in err
    assert "client-secret-value" not in err


def test_oauth_with_a_key_that_is_not_a_fernet_key_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth_environment(monkeypatch)
    monkeypatch.setenv("MENTORBOT_ENCRYPTION_KEY", "hunter2")

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "MENTORBOT_ENCRYPTION_KEY is not a Fernet key" in err
    assert "hunter2" not in err


def test_half_of_the_oauth_credentials_is_not_the_sandbox_but_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth_environment(monkeypatch, SLACK_CLIENT_SECRET=True, SLACK_SIGNING_SECRET=True)

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "SLACK_CLIENT_SECRET is not set" in err
    assert "SLACK_SIGNING_SECRET is not set" in err


def test_oauth_and_socket_mode_do_not_mix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    oauth_environment(monkeypatch)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-abc")

    assert main(["run"]) == 2

    assert "unset SLACK_APP_TOKEN" in capsys.readouterr().err


def test_which_mode_the_settings_choose() -> None:
    key = Fernet.generate_key().decode()
    oauth = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_client_id="1.2",
        slack_client_secret="s",
        slack_signing_secret="x",
        mentorbot_encryption_key=key,
    )
    assert oauth.oauth_mode
    assert oauth.missing_for_slack() == []
    assert not wants_sandbox(oauth)
    single = oauth.model_copy(update={"slack_bot_token": "xoxb-1"})
    assert not single.oauth_mode  # a bot token means one workspace, as before
    assert wants_sandbox(Settings(_env_file=None))  # type: ignore[call-arg]


def test_slacks_consent_page_is_on_the_web_apis_host() -> None:
    assert authorization_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert (
        authorization_url("https://slack-gov.com/api/")
        == "https://slack-gov.com/oauth/v2/authorize"
    )
    assert authorization_url("http://127.0.0.1:9/api/") == "http://127.0.0.1:9/oauth/v2/authorize"


def test_the_dispatchers_clients_are_kept_per_workspace_and_forgotten_on_demand(
    tmp_path: Path,
) -> None:
    database = connect(f"sqlite:///{tmp_path / 'clients.db'}")
    database.migrate()
    store = SealedInstallationStore(
        client_id="1.2", engine=database.engine, cipher=Cipher(Cipher.generate_key())
    )
    made: list[str] = []

    def make(token: str) -> object:
        made.append(token)
        return object()

    now = [0.0]
    clients = TeamClients(store, make, ttl=30, monotonic=lambda: now[0])  # type: ignore[arg-type]
    try:
        assert clients("T1") is None  # not installed
        store.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-t1-a", user_id="U1"))
        assert clients("T1") is None  # still cached as absent
        clients.forget("T1")
        first = clients("T1")
        assert first is not None and clients("T1") is first
        assert made == ["xoxb-t1-a"]
        store.save(Installation(app_id="A1", team_id="T1", bot_token="xoxb-t1-b", user_id="U1"))
        now[0] = 31.0  # another replica installed it again: noticed after the ttl
        assert clients("T1") is not first
        assert made == ["xoxb-t1-a", "xoxb-t1-b"]
    finally:
        database.dispose()


def test_oauth_states_nobody_came_back_with_are_deleted(tmp_path: Path) -> None:
    database = connect(f"sqlite:///{tmp_path / 'states.db'}")
    database.migrate()
    try:
        expired = SqlOAuthStateStore(engine=database.engine, expiration_seconds=-1)
        live = SqlOAuthStateStore(engine=database.engine)
        old, fresh = expired.issue(), live.issue()

        assert live.forget_expired() == 1

        assert not live.consume(old)
        assert live.consume(fresh)
        assert not live.consume(fresh)  # once only
    finally:
        database.dispose()


def test_oauth_refuses_coordinator_ids_without_their_workspace_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workspace B's waitlist notice, naming B's mentee, once went to A's coordinator."""
    import mentorbot.serve

    def started(_settings: Settings) -> None:
        raise AssertionError("serve started with coordinators bound to no workspace")

    monkeypatch.setattr(mentorbot.serve, "serve", started)
    oauth_environment(monkeypatch)
    monkeypatch.setenv("MENTORBOT_COORDINATORS", "T0001:UONE1, UALL1, UALL2")

    assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert "MENTORBOT_COORDINATORS: UALL1, UALL2 names no workspace" in err
    assert "T012AB:U012CD" in err and "UONE1" not in err
    assert "Traceback" not in err


def test_prefixed_coordinators_and_a_single_token_are_fine() -> None:
    key = Fernet.generate_key().decode()
    oauth = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_client_id="1111.2222",
        slack_client_secret="secret",
        slack_signing_secret="signing",
        mentorbot_encryption_key=key,
        mentorbot_coordinators="T0001:UONE1,E0009:UGRID1",
    )
    assert oauth.missing_for_slack() == []
    single = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-1",
        slack_signing_secret="signing",
        mentorbot_coordinators="UALL1",
    )
    assert single.missing_for_slack() == []
