"""Start-up: settings, wiring and the `mentorbot` command. The only place all layers meet."""
