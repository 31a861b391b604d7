"""Slack side of matching: `/mentor ask` and `offer`, suggestions, accept and decline."""
