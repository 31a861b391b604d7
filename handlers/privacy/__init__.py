"""Slack side of people's data: forget-me and erase."""
