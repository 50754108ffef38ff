#!/usr/bin/env bash
# Create (or refresh) the venv the BigQuery emulator runs from: .venv-emulator beside .venv,
# or $PCF_BQEMULATOR_VENV. Kept apart from the project's venv so the emulator's pins never
# change ours. Idempotent; about 10 s the first time, 2 s after.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PCF_BQEMULATOR_VENV:-$repo/.venv-emulator}"
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$repo/tests/emulator/requirements.txt"
"$venv/bin/python" -c "import bqemulator, numpy; print('bqemulator', bqemulator.__version__, 'in $venv')"
