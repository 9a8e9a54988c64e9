# Two commands do all the set-up on a fresh machine with only Python:
#   make demo   creates .venv if missing, installs autosim, runs the flagship scenario into out/
#   make test   installs the test extras and runs the whole suite (lint included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCENARIO ?= scenarios/plumbing_residential_emergency.yaml
REPS   ?= 200
SEED   ?= 1

.PHONY: demo test test-all lint bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/autosim run $(SCENARIO) --replications $(REPS) --seed $(SEED) \
		--out out/$(basename $(notdir $(SCENARIO)))

test: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2

# the whole suite including the slow Monte Carlo checks (three-seed and 200-replication verdicts)
test-all: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 -m ""

lint: $(VENV)/.installed-test
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m ruff format --check src tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet ciw salabim
	$(BIN)/python -m benchmarks.run

bench-quick: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet ciw salabim
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf out .pytest_cache
