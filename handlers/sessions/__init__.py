"""Slack side of weekly sessions: schedule, skip, reschedule, pause, did-you-meet."""
