"""The demo league (SPEC §9): a seeded synthetic NBA league written into the input tables,
so the backfill runs on a fresh machine with no cloud account."""

from demo.generate import DemoSummary, generate_demo
from demo.seasons import SEASON_OPENERS, SUPPORTED_SEASONS, parse_seasons

__all__ = ["SEASON_OPENERS", "SUPPORTED_SEASONS", "DemoSummary", "generate_demo", "parse_seasons"]
