"""Onboarding: the welcome, the first-session agenda, a topic a month."""
