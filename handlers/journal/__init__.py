"""Slack side of the journal: goals, reflections, milestones, shout-outs, export."""
