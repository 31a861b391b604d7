"""Workspaces that remove the app: retention and purge."""
