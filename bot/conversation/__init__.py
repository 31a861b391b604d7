"""What a reply in the bot's DM means: a note, an answer to a prompt, or a plain request."""
