# Two commands do all the set-up on a fresh machine with python3 and make:
#   make demo   - create .venv, install evalkit into it, run the whole job on sample_data/
#                 (evalkit demo: ingest, validate, analyse, KPIs) into demo_output/
#   make test   - the same set-up, then the whole test suite
# (make bench runs the benchmark suite; see below)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.evalkit-installed
BENCH_STAMP := $(VENV)/.evalkit-bench-installed
DEMO_DIR ?= demo_output

.PHONY: demo test lint format bench screenshots clean

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

# make bench - the benchmark suite (docs/performance.md): installs the bench extra (pyarrow,
# pingouin), generates 10k/100k/1M-row files once into benchmarks/.data/, measures every step
# and writes the table into docs/performance.md. Not part of make test (about 3 minutes).
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(BENCH_STAMP)

# compileall first: an installed package has its bytecode written at install time, an
# editable one only when Python may write it (not under PYTHONDONTWRITEBYTECODE=1); without
# it every measured command would compile evalkit's modules again (about 0.05 s each run).
bench: $(BENCH_STAMP)
	$(BIN)/python -m compileall -q evalkit
	EVALKIT_MAKE_BENCH=1 $(BIN)/python benchmarks/run.py --profile --write-docs

# make screenshots - re-render the demo report in headless Chromium (Debian: apt-get install
# chromium) and refresh docs/img/report.png and report-scorecard.png shown in docs/report.md.
screenshots: $(STAMP)
	$(BIN)/python -m tests.report.browser docs/img

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist .pytest_cache
