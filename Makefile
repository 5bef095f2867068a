# The two commands: `make run` and `make test`. Each installs what it needs first and is safe to repeat.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)

.PHONY: run test bench lint typecheck install web chromium services clean

run: install web
	$(BIN)/zapdesk run

test: install web chromium services lint typecheck
	@if [ -f web/package.json ]; then cd web && npm run --silent lint && npm run --silent typecheck && npm test --silent; fi
	$(BIN)/pytest

bench: install web services
	$(BIN)/python -m bench

install: $(PY_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

web: $(if $(wildcard web/package.json),$(WEB_BUILD))

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

# Browser tests drive Debian's Chromium; Playwright's own browser download does not work offline.
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# PostgreSQL and Redis on 127.0.0.1, started when down (the suite also checks).
services:
	@(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -n 1) main start
	@(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
