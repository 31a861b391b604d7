"""Replies in the bot's DM, heard: message.im events, the "Got it." buttons, the team's answer."""
