# `make run` and `make test` work on a fresh machine: they create .venv when it is missing,
# install the project into it, then launch or test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The app; on its demo data (with a local Salesforce) until a real Salesforce is connected.
run: $(STAMP)
	@if $(BIN)/docsend-desktop status --json 2>/dev/null | grep -q '"connected": true'; then \
		$(BIN)/docsend-desktop $(ARGS); else $(BIN)/docsend-desktop --demo $(ARGS); fi

demo: $(STAMP)
	$(BIN)/docsend-desktop --demo

test: $(STAMP)
	scripts/install-system-packages.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check docsend_desktop salesforce_emulator tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
