"""Slack side of announcements: compose, preview, schedule, tally."""
