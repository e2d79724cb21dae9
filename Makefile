# Two commands do all the set-up on a fresh machine with python3 and make:
#   make demo   - create .venv, install evalkit into it, run the whole job on sample_data/
#                 (evalkit demo: ingest, validate, analyse, KPIs) into demo_output/
#   make test   - the same set-up, then the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.evalkit-installed
DEMO_DIR ?= demo_output

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/evalkit demo -o $(DEMO_DIR)
	@echo "demo output written to $(abspath $(DEMO_DIR))/"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check evalkit tests benchmarks
	$(BIN)/ruff format --check evalkit tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format evalkit tests benchmarks
	$(BIN)/ruff check --fix evalkit tests benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist .pytest_cache
