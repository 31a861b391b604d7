"""Closing well: the short exit survey every ending sends each partner still in the program."""
