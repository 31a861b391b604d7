"""What coordinators see and do: program health, cohorts, user-group sync."""
