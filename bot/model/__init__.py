"""The nouns shared by features: partnerships, sessions, journal entries, programs, outbox messages.

Nothing here imports a service; features import these and ``bot.ports``."""
