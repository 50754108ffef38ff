"""OpenLineage events, through the client's own file transport configured the standard way (OPENLINEAGE_CONFIG):
START and COMPLETE with the inputs, PCF as the output with its row count and the verdicts as the `pcf` facet."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openlineage.client import OpenLineageClient

import backfill

TODAY = date(2026, 11, 26)
WEEK = (date(2023, 2, 20), date(2023, 2, 26))


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The events the client writes, one JSON document a line."""
    log = tmp_path / "lineage.jsonl"
    config = tmp_path / "openlineage.yml"
    config.write_text(f"transport:\n  type: file\n  log_file_path: {log}\n  append: true\n")
    monkeypatch.setenv("OPENLINEAGE_CONFIG", str(config))
    return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_a_run_emits_start_and_complete_with_its_inputs_the_output_row_count_and_the_verdicts(demo_db, events):
    result = backfill.run(f"duckdb:///{demo_db}", *WEEK, source="upcg", today=TODAY)

    start, complete = events()
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == complete["run"]["runId"] and complete["job"]["name"] == "pcf_backfill.run"
    namespace = f"duckdb://{demo_db.resolve()}"
    inputs = {(item["namespace"], item["name"]) for item in complete["inputs"]}
    assert {
        (namespace, "nba_analytics.upcoming_player_game_context"),
        (namespace, "nba_analytics.player_game_summary"),
        (namespace, "nba_reference.schedule"),
    } <= inputs
    [output] = complete["outputs"]
    assert (output["namespace"], output["name"]) == (namespace, "nba_precompute.player_composite_factors")
    published = sum(v.published_players for v in result.verdicts if v.status == "published")
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == published > 0
    facet = complete["run"]["facets"]["pcf"]
    assert facet["pcf_run_id"] == result.run_id and facet["counts"]["blocked"] == 2
    blocked = {item["game_date"]: item["blocked_by"] for item in facet["coverage"] if item["status"] == "blocked"}
    assert blocked == {"2023-02-23": "coverage", "2023-02-24": "coverage"}


def test_a_stopped_run_ends_its_lineage_with_abort_and_a_dry_run_sends_nothing(demo_db, events):
    with pytest.raises(backfill.Interrupted):
        backfill.run(f"duckdb:///{demo_db}", *WEEK, cancel=lambda: True, today=TODAY)
    backfill.run(f"duckdb:///{demo_db}", *WEEK, dry_run=True, today=TODAY)

    assert [event["eventType"] for event in events()] == ["START", "ABORT"]


def test_a_cleanup_reports_upcg_as_its_output(demo_db, events):
    backfill.cleanup(f"duckdb:///{demo_db}", execute=True, user="tester")

    start, complete = events()
    assert complete["eventType"] == "COMPLETE" and complete["job"]["name"] == "pcf_backfill.cleanup"
    assert [item["name"] for item in complete["outputs"]] == ["nba_analytics.upcoming_player_game_context"]
    assert complete["run"]["facets"]["pcf"]["rows_deleted"] > 0


def test_without_configuration_nothing_is_sent_or_printed(demo_db, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("OPENLINEAGE_CONFIG", "OPENLINEAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    sent: list[object] = []
    monkeypatch.setattr(OpenLineageClient, "emit", lambda _client, event: sent.append(event))

    backfill.run(f"duckdb:///{demo_db}", *WEEK, today=TODAY)

    assert sent == [] and capfd.readouterr() == ("", "")
    assert list(tmp_path.iterdir()) == [demo_db]
