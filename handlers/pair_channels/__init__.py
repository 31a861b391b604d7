"""A pair across workspaces in Slack: the Slack Connect calls, the events, the messages."""
