"""Delivering what the core left in the outbox: exactly once, in working hours."""
