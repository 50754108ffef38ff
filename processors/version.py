"""The version of the factor math (SPEC §2.2 `calculation_version`): bump it whenever a published value would
change, and every published date computed by an older version reads as stale (SPEC §6.10)."""

CALCULATION_VERSION = "1.0.0"
