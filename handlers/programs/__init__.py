"""Slack side of programs: create, edit, invite."""
