"""Weekly sessions: the slot, its occurrences, reminders, the calendar invite."""
