"""Warehouse URLs are strict: one rule per backend, unknown keys and locations refused (exit 2, one line)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from support import said

from backfill.cli import cli
from warehouse import InvalidSetting
from warehouse.urls import BigQueryUrl, DuckDBUrl, parse_url


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("duckdb:///pcf.duckdb", DuckDBUrl("pcf.duckdb")),
        ("duckdb:///tmp/x.duckdb", DuckDBUrl("tmp/x.duckdb")),  # relative, whether or not ./tmp exists
        ("duckdb:////tmp/x.duckdb", DuckDBUrl("/tmp/x.duckdb")),
        ("duckdb:///x.duckdb?access_mode=read_only", DuckDBUrl("x.duckdb", read_only=True)),
        ("duckdb:///x.duckdb?access_mode=READ_WRITE", DuckDBUrl("x.duckdb")),
        ("bigquery://demo-proj", BigQueryUrl("demo-proj", "US")),
        ("bigquery://demo-proj?location=eu", BigQueryUrl("demo-proj", "EU")),
        ("bigquery://demo-proj?location=Europe-West1", BigQueryUrl("demo-proj", "europe-west1")),
    ],
)
def test_urls_follow_one_rule(url, parsed):
    assert parse_url(url) == parsed


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("bigquery://demo-proj?locaton=EU", "locaton"),
        ("bigquery://demo-proj?location=", "location ''"),
        ("bigquery://demo-proj?location=MARS", "MARS"),
        ("bigquery://demo-proj?location=EU&location=US", "repeated"),
        ("bigquery://", "no project"),
        ("bigquery://?location=EU", "no project"),
        ("duckdb:///x.duckdb?access_mode=readonly", "access_mode"),
        ("duckdb:///x.duckdb?threads=4", "threads"),
        ("duckdb://x.duckdb", "names no file"),
    ],
)
def test_bad_urls_exit_2_with_one_line(tmp_path, monkeypatch, url, names):
    with pytest.raises(InvalidSetting, match="^warehouse: ") as refused:  # the field, as the API names it
        parse_url(url)
    assert refused.value.field == "warehouse" and "--warehouse" not in str(refused.value)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--warehouse", url, "init"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: --warehouse: "), result.output  # the option, as the CLI names it
    assert names in result.output and len(said(result.output)) == 1, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("tmp_folder_exists", [True, False])
def test_a_duckdb_url_does_not_depend_on_which_folders_exist(tmp_path, monkeypatch, tmp_folder_exists):
    monkeypatch.chdir(tmp_path)
    if tmp_folder_exists:
        (tmp_path / "tmp").mkdir()
    result = CliRunner().invoke(cli, ["--warehouse", "duckdb:///tmp/x.duckdb", "init"])
    if tmp_folder_exists:
        assert result.exit_code == 0, result.output
        assert f"Warehouse: duckdb:///{tmp_path / 'tmp' / 'x.duckdb'}" in result.output
    else:
        assert result.exit_code == 2 and "duckdb:////tmp/x.duckdb" in result.output, result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_access_mode_is_not_part_of_the_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["--warehouse", "duckdb:///x.duckdb", "init", "--with-inputs"]).exit_code == 0
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            "duckdb:///x.duckdb?access_mode=read_only",
            "--today",
            "2023-03-01",
            "status",
            "--start-date",
            "2023-02-01",
            "--end-date",
            "2023-02-02",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.duckdb"]


def test_a_fifo_as_the_warehouse_is_refused_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.duckdb")
    result = CliRunner().invoke(cli, ["--warehouse", "duckdb:///pipe.duckdb", "init"])
    assert result.exit_code == 2 and "not a regular file" in result.output
