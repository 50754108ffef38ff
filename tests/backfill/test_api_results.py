"""SPEC §12: every result the API returns answers the same calls — `exit_code`, the resume command,
`raise_for_status()` and `to_dict()` — so a host can treat any call's result alike."""

from __future__ import annotations

import json
from datetime import date

import backfill

WEEK = (date(2023, 2, 20), date(2023, 2, 26))
TODAY = date(2026, 11, 26)


def test_every_api_result_answers_exit_code_resume_command_raise_for_status_and_to_dict(demo_db):
    url = f"duckdb:///{demo_db}"
    results = [
        backfill.run(url, *WEEK, today=TODAY),
        backfill.status(url, *WEEK),
        backfill.validate(url, *WEEK),
        backfill.cleanup(url, today=TODAY),
    ]

    for result in results:
        assert result.exit_code == 0, type(result).__name__
        assert result.raise_for_status() is result
        assert result.resume_command is None or isinstance(result.resume_command, str)
        json.dumps(result.to_dict())  # JSON's types only
