# Two entry points for a fresh machine (Python 3.11+): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= pcf.duckdb
WAREHOUSE := duckdb:///$(DB)

.PHONY: demo test test-fast browser lint bench clean

# What running needs: the package and its dependencies, nothing else.
$(BIN)/pcf-backfill: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The developer tools (pytest, ruff, mypy, …) and the extras the suite tests, only for `make test` / `make lint`.
$(VENV)/.dev-tools: $(BIN)/pcf-backfill
	$(BIN)/python -m pip install --quiet -e ".[dev,dagster,lineage]"
	touch $@

# Generate the demo league (2022-23) into $(DB), then backfill the whole season.
demo: $(BIN)/pcf-backfill
	$(BIN)/pcf-backfill --warehouse $(WAREHOUSE) demo --seasons 2022 --replace
	$(BIN)/pcf-backfill --warehouse $(WAREHOUSE) run --start-date 2022-10-18 --end-date 2023-04-09
	@echo "Next: . $(VENV)/bin/activate   (then the pcf-backfill commands above run as printed)"

# The whole suite, slow and emulator tests included (this is what CI runs); -rs names each skipped test's reason.
test: $(VENV)/.dev-tools browser .venv-emulator/bin/bqemulator
	$(BIN)/python -m pytest -n 2 -q -rs

# The inner loop while changing code: the suite without the emulator, the browser and the slow tests (whole seasons,
# real timeouts, the full samples of signal moments, faults and hostile inputs); under two minutes on 2 cores.
test-fast: $(VENV)/.dev-tools
	$(BIN)/python -m pytest -n 2 -q -m "not slow and not bigquery_emulator"

# The BigQuery emulator runs from its own venv so its pins never change ours.
.venv-emulator/bin/bqemulator: tests/emulator/requirements.txt
	PYTHON=$(PYTHON) bash tests/emulator/install.sh
	touch $@

# The HTML report is checked in headless Chromium (Debian's package), installed when root can; without it the
# browser test is skipped, saying why, and every other test runs.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } \
		|| echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium is not installed and installing it needs root: the browser test will be skipped"; fi

lint: $(VENV)/.dev-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backfill league processors validation cleanup warehouse demo vocabulary

bench: $(BIN)/pcf-backfill
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) $(DB) $(DB).wal .pytest_cache .hypothesis
