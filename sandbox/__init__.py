"""A local stand-in for Slack, and a web page to use the bot through it without a workspace.

``mentorbot run`` with no Slack tokens starts the real bot against ``LocalSlack`` (through
``SLACK_API_URL``) and serves the page; people act through ``Workspace``, which reaches the bot
the way Slack does: signed HTTP requests to ``/slack/events``. Nothing here imports the bot.
"""
