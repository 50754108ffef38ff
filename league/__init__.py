"""The league's rules, one home for each (SPEC §3, §6.1, §6.4, §6.7): which games count and who played in them
(`league.games`), and the seasons, openers and bootstrap windows the schedule shows (`league.calendar`).

Processors, validation and the pipeline import these alike; this package imports nothing above `warehouse`.
"""
