"""Programs inside a workspace: their rules, people and invitations."""
