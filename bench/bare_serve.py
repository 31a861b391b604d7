"""The floor for ``mentorbot serve``: a bare Bolt app under the very same gunicorn options.

Run as ``python -m bench.bare_serve``; settings (PORT, WEB_CONCURRENCY, ...) from the
environment, as for ``mentorbot serve``. The app is served by Bolt's own WSGI adapter (and
``/healthz``, so the bench can tell it is up): Bolt checks the signature, routes, and with
``process_before_response`` does its one piece of work in the request: ``/mentor ask`` opens
a one-block modal at once, anything else is only acked. What the bot adds on top of this,
its edge (size cap, signature and shape before Bolt), metrics and log line included, is what
the kickoff rows measure.
"""

from __future__ import annotations

from typing import Any, cast

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from mentorbot.edge import plain
from mentorbot.http import StartResponse, WSGIApp
from mentorbot.serve import options
from mentorbot.settings import Settings, load_settings

MODAL = {
    "type": "modal",
    "callback_id": "bare",
    "title": {"type": "plain_text", "text": "Ask for a mentor"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "What would you like?"}}],
}


def bare_wsgi(app: App) -> WSGIApp:
    bolt = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            return plain(start_response, "200 OK", "ok\n")
        return bolt(environ, start_response)

    return application


def bare_app(settings: Settings) -> App:
    app = App(
        client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,
    )

    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        if body.get("text", "").strip() == "ask":
            client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    app.command("/mentor")(command)
    return app


class BareServer(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in options(self.settings).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return cast(Any, bare_wsgi(bare_app(self.settings)))


def main() -> None:
    settings = load_settings()
    BareServer(settings).run()


if __name__ == "__main__":
    main()
