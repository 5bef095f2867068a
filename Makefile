# The two commands: `make run` and `make test`. Each installs what it needs first and is safe to repeat.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)

.PHONY: run test bench lint typecheck install web types test-packages bench-packages clean

run: install web
	$(BIN)/zapdesk run

test: install web test-packages lint typecheck
	@if [ -f web/package.json ]; then cd web && npm run --silent lint && npm run --silent typecheck && npm test --silent; fi
	$(BIN)/pytest

bench: install web bench-packages
	$(BIN)/python -m bench

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

web: $(if $(wildcard web/package.json),$(WEB_BUILD))

# The web app's API and event types, generated from the server's OpenAPI document: run after changing a schema
# (a test fails while web/src/api/schema.gen.ts differs from what the server would generate).
types: install $(WEB_STAMP)
	cd web && ZAPDESK_PYTHON=$(abspath $(BIN))/python npm run --silent types

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

# Debian packages, installed when missing (as root; otherwise the command to run is printed). The suite and the
# benchmarks start throwaway PostgreSQL and Redis servers of their own from these programs (tests/services.py);
# the browser tests drive Debian's Chromium, since Playwright's own browser download does not work offline.
test-packages:
	@scripts/debian-packages postgresql redis-server chromium

bench-packages:
	@scripts/debian-packages postgresql

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
