"""Closing well in Slack: the exit survey and its note to the program team."""
