"""Block Kit for onboarding messages."""
