"""Matching: a mentee asks, mentors are ranked by fit, a mentor accepts; cohorts at once."""
