"""Slack side of installs and uninstalls."""
