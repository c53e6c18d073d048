# `make run` and `make test` work on a fresh machine: they create .venv when it is missing,
# install the project into it, then launch or test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/docsend-desktop $(ARGS)

demo: $(STAMP)
	$(BIN)/docsend-desktop --demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check docsend_desktop salesforce_emulator tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
