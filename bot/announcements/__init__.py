"""Announcements from the program team to its channel or people."""
