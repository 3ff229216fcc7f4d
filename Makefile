# landrenewal — set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo/landrenewal.gpkg
DEMO_PARCELS ?= 3000
DEMO_AS_OF ?= 2026-10-31
BENCH_PARCELS ?= 1000000
# Test workers: one per core. A test file runs whole on one worker, so its demo city is built once.
TEST_WORKERS ?= auto
WEB_BENCH_PARCELS ?= 100000
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

.PHONY: install demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	rm -f $(DEMO_DB)
	$(BIN)/landrenewal demo build --db $(DEMO_DB) --parcels $(DEMO_PARCELS)
	$(BIN)/landrenewal evaluate --db $(DEMO_DB) --year 2024
	$(BIN)/landrenewal evaluate --db $(DEMO_DB) --year 2025 --out demo/evaluation-2025.xlsx
	$(BIN)/landrenewal identify --db $(DEMO_DB) --as-of $(DEMO_AS_OF) --out demo/findings.xlsx --layer demo/parcel_results.gpkg
	$(BIN)/landrenewal zones build --db $(DEMO_DB) --out demo/zones.xlsx --out demo/zones.gpkg
	$(BIN)/landrenewal demo projects --db $(DEMO_DB) --as-of $(DEMO_AS_OF)
	@echo "示范账号 Demo logins (one per role):"
	@$(BIN)/landrenewal users demo --db $(DEMO_DB)
	$(BIN)/landrenewal serve --db $(DEMO_DB) --host $(DEMO_HOST) --port $(DEMO_PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy
	$(BIN)/mypy benchmarks

test: install lint typecheck
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: install
	$(BIN)/python benchmarks/run.py --parcels $(BENCH_PARCELS)
	$(BIN)/python benchmarks/readers.py --parcels $(BENCH_PARCELS)
	$(BIN)/python benchmarks/evaluation.py --parcels $(BENCH_PARCELS)
	$(BIN)/python benchmarks/zones.py --parcels $(BENCH_PARCELS)
	$(BIN)/python benchmarks/tiles.py --parcels $(BENCH_PARCELS)
	$(BIN)/python benchmarks/projects.py
	$(BIN)/python benchmarks/web_load.py --parcels $(WEB_BENCH_PARCELS) --pg

clean:
	rm -rf $(VENV) demo build .pytest_cache .mypy_cache .ruff_cache
