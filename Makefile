# tsgen: `make reproduce` runs the smoke reproduction, `make test` runs the tests.
# Both create the virtual environment in .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= smoke
# notebook cells flagged with these run too (e.g. `make test FLAGS=slow`)
FLAGS ?=
# the docs site is rendered by quarto, from the package index (its build downloads the quarto binary)
QUARTO_CLI ?= quarto-cli==1.10.19

.PHONY: install test test-slow test-docs test-install reproduce docs readme export clean-nbs bench bench-ucr

# tsgen's requirements are ranges (settings.ini); the reproduction installs the exact versions of constraints.txt
$(VENV)/.installed: settings.ini setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

test: install
	TSGEN_TEST_FLAGS="$(FLAGS)" $(BIN)/python -m pytest tests -n 2 -q -p no:cacheprovider

test-slow: FLAGS = slow
test-slow: test

# the slow checks of the notebook experience: the docs site builds from the notebooks; Binder's postBuild and a
# plain `pip install` work in fresh venvs (each about 1-3 minutes)
test-docs: install
	TSGEN_TEST_FLAGS="docs" $(BIN)/python -m pytest tests/test_docs.py -q -p no:cacheprovider

test-install: install
	TSGEN_TEST_FLAGS="install" $(BIN)/python -m pytest tests/test_install.py -q -p no:cacheprovider

# the documentation site, every notebook executed and rendered, into _docs/
docs: install
	@command -v quarto >/dev/null || [ -x $(BIN)/quarto ] || $(BIN)/python -m pip install -q "$(QUARTO_CLI)" || \
	  { echo "make docs: could not install $(QUARTO_CLI) (its build downloads quarto from GitHub);" \
	         "install quarto from quarto.org onto PATH and rerun" >&2; exit 1; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/docs.py build --profile $(PROFILE) --flags "$(FLAGS)"

# README.md is made from nbs/index.ipynb
readme: install
	$(BIN)/python tools/docs.py readme

reproduce: install
	$(BIN)/tsgen-reproduce --profile $(PROFILE)

# class-conditional quality per CPU-minute on five UCR/UEA sets (fetched from the sktime 1.2.0 wheel on first use):
# DG and the transformer trained for UCR_BUDGET each, one line per (set, model), the table and its figure in figures/
UCR_BUDGET ?= 10min
bench-ucr: install
	$(BIN)/python -m tsgen.ucrbench --budget $(UCR_BUDGET) --out figures/ucr_bench.csv --plot figures/ucr_bench.png

# developer helpers: regenerate tsgen/ from the notebooks, and strip notebook outputs
export: install
	$(BIN)/nbdev_export

clean-nbs: install
	$(BIN)/nbdev_clean
