"""Slack side of the rhythm: pulses, midterm, term notice, ending a partnership."""
