"""Reaching BigQuery, through the CLI and without a server: credentials files that cannot work are bad
input naming the file, and a service that never answers fails the command within 30 s with one line."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from support import invoke

PROJECT = "pcf-prod-project"
URL = f"bigquery://{PROJECT}"
RUN = ("run", "--start-date", "2023-02-20", "--end-date", "2023-02-26")


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


@pytest.fixture(autouse=True)
def no_emulator_nor_default_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BIGQUERY_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))  # no `gcloud auth application-default` file
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # nor a metadata server
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot be read"),
        ("{not json", "malformed: not JSON"),
        ('["a list"]', 'malformed: no credentials "type"'),
        ('{"type": "service_account"}', "malformed"),
    ],
    ids=["missing", "not-json", "not-an-object", "incomplete-key"],
)
def test_an_unusable_credentials_file_exits_2_naming_it(monkeypatch, tmp_path, content, reason):
    key_file = tmp_path / "key.json"
    if content is not None:
        key_file.write_text(content)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))

    result = invoke(URL, *RUN, today=None)

    assert result.exit_code == 2, result.output
    [line] = error_lines(result)
    assert reason in line and str(key_file) in line and "GOOGLE_APPLICATION_CREDENTIALS" in line


def test_no_credentials_at_all_say_how_to_get_them():
    result = invoke(URL, *RUN, today=None)

    assert result.exit_code == 1, result.output
    [line] = error_lines(result)
    assert "no Google credentials found" in line and "gcloud auth application-default login" in line


def service_account_key(folder: Path, token_uri: str) -> Path:
    """A well-formed key whose token endpoint is `token_uri` (on 127.0.0.1: the network this test controls)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    key = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": f"pcf@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path = folder / "key.json"
    path.write_text(json.dumps(key))
    return path


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)  # never accepted: the kernel completes the handshake, nobody replies
        yield int(server.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow  # it waits for the real timeouts: the promise is about the defaults
@pytest.mark.parametrize("endpoint", ["silent_port", "closed_port"])
def test_an_unreachable_service_fails_within_30_s_with_one_line(request, monkeypatch, tmp_path, endpoint):
    port = request.getfixturevalue(endpoint)
    key_file = service_account_key(tmp_path, f"http://127.0.0.1:{port}/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    clock = time.monotonic()

    result = invoke(URL, *RUN, today=None)

    assert time.monotonic() - clock < 30
    assert result.exit_code == 1, result.output
    [line] = error_lines(result)
    assert "BigQuery unreachable" in line and "check the network" in line
