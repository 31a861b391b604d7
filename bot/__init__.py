"""Mentorbot's core: the program's rules, in the program's own words.

Nothing here knows about Slack or SQL. Services take a unit of work (``bot.ports``) and a clock,
and leave messages for people in the outbox; ``handlers`` turns those into Block Kit and
``storage`` keeps them. That keeps every rule testable on plain fakes.
"""
