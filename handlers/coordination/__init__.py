"""Slack side of coordination: reports, cohorts, texts, at-risk pairs."""
