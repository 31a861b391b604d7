"""manifest.yml is a valid Slack app manifest, and it matches what the app really does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

from tests.conftest import RunningBot

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "tests" / "schemas" / "manifest"  # vendored: see tests/schemas/README.md
REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "manifest.yml").read_text()))


def test_the_manifest_is_valid_against_slacks_schema() -> None:
    root = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    registry: Registry[Any] = Registry()
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((SCHEMAS / f"schemas_manifest.schema.{version}.json").read_text())
        registry = registry.with_resource(
            f"{REMOTE}manifest.schema.{version}.json", Resource.from_contents(schema)
        )
    validator = jsonschema.Draft7Validator(root, registry=registry)
    errors = sorted(validator.iter_errors(manifest()), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    # and the schema really does refuse a broken manifest, so the check above means something
    broken = manifest()
    broken["features"]["slash_commands"][0]["command"] = "mentor"
    broken["display_information"]["name"] = ""
    assert list(validator.iter_errors(broken))


def test_the_manifest_declares_what_the_app_listens_to(bot: RunningBot) -> None:
    declared = manifest()
    commands = {c["command"] for c in declared["features"]["slash_commands"]}
    events = set(declared["settings"]["event_subscriptions"]["bot_events"])
    listened_commands, listened_events = set(), set()
    for listener in bot.runtime.app._listeners:
        for matcher in listener.matchers:
            name = getattr(matcher, "func", None)
            closure = getattr(name, "__closure__", None) or ()
            for cell in closure:
                value = cell.cell_contents
                if isinstance(value, str) and value.startswith("/"):
                    listened_commands.add(value)
                if isinstance(value, dict) and "type" in value and isinstance(value["type"], str):
                    listened_events.add(value["type"])
    assert listened_commands == commands
    assert listened_events <= events
    assert declared["settings"]["socket_mode_enabled"] is True
    assert declared["settings"]["interactivity"]["is_enabled"] is True
    assert declared["features"]["app_home"]["home_tab_enabled"] is True
