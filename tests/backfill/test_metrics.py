"""`--metrics-file` (SPEC §11): Prometheus textfile-collector output equal to what the command reported."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support import INCIDENT_WEEK, start_run


def samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(name, sorted labels): value} of every sample in a textfile."""
    families = text_string_to_metric_families(path.read_text(encoding="utf-8"))
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in families for s in family.samples}


def value(metrics: dict, name: str, command: str, **labels: str) -> float:
    return metrics[("pcf_backfill_" + name, tuple(sorted({"command": command, **labels}.items())))]


def midnight_utc(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def test_run_metrics_equal_the_run_summary(run_cli, demo_db, tmp_path):
    prom = tmp_path / "pcf_run.prom"
    result = run_cli(
        demo_db, "run", *INCIDENT_WEEK, "--source", "upcg", "--output", "json", "--metrics-file", str(prom)
    )
    document = json.loads(result.stdout)
    metrics = samples(prom)
    assert value(metrics, "last_run_exit_code", "run") == result.exit_code == 3
    for status, label in [
        ("published", "published"),
        ("blocked", "blocked"),
        ("failed", "failed"),
        ("skipped_bootstrap", "skipped"),
    ]:
        assert value(metrics, "last_run_dates", "run", status=label) == document["counts"][status]
    published = [d for d in document["dates"] if d["status"] == "published"]
    assert value(metrics, "last_run_rows_published", "run") == sum(d["published_players"] for d in published)
    coverage = min(d["coverage"] for d in document["dates"] if d["coverage"] is not None)
    assert value(metrics, "last_run_min_coverage_ratio", "run") == pytest.approx(coverage)
    newest = max(d["game_date"] for d in published)
    assert value(metrics, "newest_published_game_date_timestamp_seconds", "run") == midnight_utc(newest)
    start, end = (
        value(metrics, "last_run_start_timestamp_seconds", "run"),
        value(metrics, "last_run_end_timestamp_seconds", "run"),
    )
    assert start <= end <= datetime.now(UTC).timestamp()
    assert end - start >= document["seconds"]


def test_catch_up_validate_and_freshness_write_their_own_metrics(run_cli, demo_db, tmp_path):
    prom = {name: tmp_path / f"pcf_{name}.prom" for name in ("catch-up", "validate", "freshness")}
    caught = run_cli(
        demo_db,
        "--today",
        "2023-02-27",
        "catch-up",
        "--lookback-days",
        "7",
        "--output",
        "json",
        "--metrics-file",
        str(prom["catch-up"]),
    )
    assert caught.exit_code == 0
    published = json.loads(caught.stdout)["counts"]["published"]
    # an empty warehouse: the catch-up publishes the season so far, not only its 7-day window
    assert value(samples(prom["catch-up"]), "last_run_dates", "catch-up", status="published") == published > 4
    validated = run_cli(demo_db, "validate", *INCIDENT_WEEK, "--metrics-file", str(prom["validate"]))
    assert value(samples(prom["validate"]), "validate_dates_with_problems", "validate") == 0
    assert value(samples(prom["validate"]), "last_run_exit_code", "validate") == validated.exit_code == 0
    fresh = run_cli(demo_db, "--today", "2023-02-27", "freshness", "--metrics-file", str(prom["freshness"]))
    metrics = samples(prom["freshness"])
    assert (fresh.exit_code, value(metrics, "stale", "freshness")) == (0, 0)
    assert value(metrics, "newest_published_game_date_timestamp_seconds", "freshness") == midnight_utc("2023-02-26")


def test_an_error_is_recorded_with_its_exit_code(run_cli, tmp_path):
    prom = tmp_path / "pcf_validate.prom"
    empty = tmp_path / "empty.duckdb"
    import duckdb

    duckdb.connect(str(empty)).close()
    result = run_cli(empty, "validate", *INCIDENT_WEEK, "--metrics-file", str(prom))
    assert result.exit_code == 1
    assert value(samples(prom), "last_run_exit_code", "validate") == 1


def test_a_missing_metrics_directory_is_bad_input(run_cli, demo_db, tmp_path):
    result = run_cli(demo_db, "freshness", "--metrics-file", str(tmp_path / "nowhere" / "pcf.prom"))
    assert result.exit_code == 2
    assert "--metrics-file" in result.stderr


@pytest.mark.slow
def test_a_killed_run_leaves_the_previous_metrics_file_whole(run_cli, demo_db, tmp_path):
    prom = tmp_path / "pcf_run.prom"
    assert run_cli(demo_db, "run", *INCIDENT_WEEK, "--metrics-file", str(prom)).exit_code == 0
    before = prom.read_bytes()
    victim = start_run(demo_db, "--chunk-days", "3", "--metrics-file", str(prom))
    assert victim.stderr is not None
    for line in victim.stderr:  # the run is mid-way once it has finished a date
        if '"event": "date_done"' in line:
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    assert prom.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pcf_run")] == ["pcf_run.prom"]
