"""Test doubles shared by the suite, kept apart so production code never imports them."""
