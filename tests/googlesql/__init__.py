"""BigQuery's own SQL analyzer (ZetaSQL) in-process: `analyzer` checks a statement, `recorder` records what the
BigQuery client sends and judges it. Every emulator test is checked this way (tests/conftest.py)."""

from googlesql.analyzer import GoogleSqlAnalyzer, Rejected, contract_tables
from googlesql.recorder import StatementRecorder, Verdict, analyse, recording

__all__ = [
    "GoogleSqlAnalyzer",
    "Rejected",
    "StatementRecorder",
    "Verdict",
    "analyse",
    "contract_tables",
    "recording",
]
