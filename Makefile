# tsgen: `make reproduce` runs the smoke reproduction, `make test` runs the tests.
# Both create the virtual environment in .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= smoke
# notebook cells flagged with these run too (e.g. `make test FLAGS=slow`)
FLAGS ?=

.PHONY: install test test-slow reproduce export clean-nbs bench

$(VENV)/.installed: settings.ini setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

test: install
	TSGEN_TEST_FLAGS="$(FLAGS)" $(BIN)/python -m pytest tests -n 2 -q -p no:cacheprovider

test-slow: FLAGS = slow
test-slow: test

reproduce: install
	$(BIN)/tsgen-reproduce --profile $(PROFILE)

# developer helpers: regenerate tsgen/ from the notebooks, and strip notebook outputs
export: install
	$(BIN)/nbdev_export

clean-nbs: install
	$(BIN)/nbdev_clean
