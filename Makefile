# Two entry points for a fresh machine (Python 3.11+): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= pcf.duckdb
WAREHOUSE := duckdb:///$(DB)

.PHONY: demo test browser lint bench clean

$(BIN)/pcf-backfill: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dagster,lineage]"
	touch $@

# Generate the demo league (2022-23) into $(DB), then backfill the whole season.
demo: $(BIN)/pcf-backfill
	$(BIN)/pcf-backfill --warehouse $(WAREHOUSE) demo --seasons 2022 --replace
	$(BIN)/pcf-backfill --warehouse $(WAREHOUSE) run --start-date 2022-10-18 --end-date 2023-04-09

# The whole suite, slow and emulator tests included (this is what CI runs).
test: $(BIN)/pcf-backfill browser .venv-emulator/bin/bqemulator
	$(BIN)/python -m pytest -n 2 -q

# The BigQuery emulator runs from its own venv so its pins never change ours.
.venv-emulator/bin/bqemulator: tests/emulator/requirements.txt
	PYTHON=$(PYTHON) bash tests/emulator/install.sh
	touch $@

# The HTML report is checked in headless Chromium (Debian's package).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation; }

lint: $(BIN)/pcf-backfill
	$(BIN)/ruff check .
	$(BIN)/mypy backfill processors validation cleanup warehouse demo

bench: $(BIN)/pcf-backfill
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) $(DB) $(DB).wal .pytest_cache .hypothesis
